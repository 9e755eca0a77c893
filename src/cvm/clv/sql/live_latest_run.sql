-- The newest clv run with fitted transaction models (a `cvm fit` or `cvm score` run): the
-- parameters the live profiles are scored with.
SELECT run_id, model, CAST(params AS VARCHAR) AS params, CAST(cutoff AS DATE) AS cutoff
FROM model_runs
WHERE kind = 'clv' AND model IS NOT NULL AND json_type(params, '$.models') = 'OBJECT'
ORDER BY created_at DESC, run_id DESC
LIMIT 1
