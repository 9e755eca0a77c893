UPDATE model_runs SET metrics = $metrics WHERE run_id = $run_id
