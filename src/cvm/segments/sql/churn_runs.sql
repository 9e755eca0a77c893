-- Churn runs with a model file, newest first.
SELECT run_id, params->>'path' AS path
FROM model_runs
WHERE kind = 'churn'
ORDER BY created_at DESC, run_id DESC
