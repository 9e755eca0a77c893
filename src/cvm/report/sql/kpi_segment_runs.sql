-- Runs whose scores fill the column __column__ (segment or tier), newest first.
SELECT r.run_id, r.kind, r.cutoff, r.created_at
FROM model_runs AS r
WHERE EXISTS (SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id AND __column__ IS NOT NULL)
ORDER BY r.created_at DESC, r.run_id DESC;
