-- The newest segments run, at $day when it is not NULL.
SELECT run_id
FROM model_runs
WHERE kind = 'segments'
  AND (CAST($day AS DATE) IS NULL OR CAST(cutoff AS DATE) = CAST($day AS DATE))
ORDER BY created_at DESC, run_id DESC
LIMIT 1
