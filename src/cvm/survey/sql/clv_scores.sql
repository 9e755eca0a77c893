-- CLV and P(alive) per customer from one CLV run ($run_id) or the latest one.
WITH chosen AS (
    SELECT r.run_id
    FROM model_runs AS r
    WHERE r.kind = 'clv'
        AND ($run_id IS NULL OR r.run_id = $run_id)
        AND EXISTS (SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id)
    ORDER BY r.created_at DESC, r.run_id DESC
    LIMIT 1
)
SELECT s.run_id, s.customer_id, s.clv, s.p_alive, s.expected_purchases
FROM scores AS s
WHERE s.run_id = (SELECT run_id FROM chosen);
