-- The newest clv run with scores whose cutoff is $as_of.
SELECT r.run_id
FROM model_runs AS r
WHERE r.kind = 'clv'
  AND CAST(r.cutoff AS DATE) = $as_of
  AND EXISTS (SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id)
ORDER BY r.created_at DESC, r.run_id DESC
LIMIT 1
