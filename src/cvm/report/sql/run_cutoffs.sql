-- The cutoff day of two runs.
SELECT run_id, CAST(cutoff AS DATE) FROM model_runs WHERE run_id IN ($first, $second);
