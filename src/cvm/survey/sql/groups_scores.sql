-- Label of each customer from the latest run whose scores fill __column__ (segment or tier,
-- a name the caller has checked against the table's columns).
WITH latest AS (
    SELECT r.run_id
    FROM model_runs AS r
    WHERE EXISTS (
        SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id AND __column__ IS NOT NULL
    )
    ORDER BY r.created_at DESC, r.run_id DESC
    LIMIT 1
)
SELECT customer_id, CAST(__column__ AS VARCHAR) AS label
FROM scores
WHERE run_id = (SELECT run_id FROM latest) AND __column__ IS NOT NULL;
