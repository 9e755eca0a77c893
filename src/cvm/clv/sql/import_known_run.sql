-- The as-of day of the workspace's run of this id, when it holds one already.
SELECT CAST(cutoff AS DATE) FROM model_runs WHERE run_id = $run_id
