SELECT count(*) FROM model_runs WHERE kind = 'segments' AND run_id = $run_id
