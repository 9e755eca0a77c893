-- The headline metrics of run $run_id (JSON).
UPDATE model_runs SET metrics = $metrics WHERE run_id = $run_id
