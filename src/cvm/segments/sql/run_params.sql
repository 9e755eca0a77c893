UPDATE model_runs SET params = $params WHERE run_id = $run_id
