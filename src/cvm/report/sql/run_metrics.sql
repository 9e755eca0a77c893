-- The model and metrics of one run.
SELECT model, metrics FROM model_runs WHERE run_id = $run_id;
