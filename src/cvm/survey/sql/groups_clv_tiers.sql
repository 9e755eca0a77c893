-- Value tiers from the latest CLV run when no segments run has made them: the top $high share
-- of customers by CLV is 'high', the next $medium share 'medium', the rest 'low'.
WITH latest AS (
    SELECT r.run_id
    FROM model_runs AS r
    WHERE r.kind = 'clv'
        AND EXISTS (SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id AND s.clv IS NOT NULL)
    ORDER BY r.created_at DESC, r.run_id DESC
    LIMIT 1
),
ranked AS (
    SELECT customer_id, percent_rank() OVER (ORDER BY clv DESC) AS rank_share
    FROM scores
    WHERE run_id = (SELECT run_id FROM latest) AND clv IS NOT NULL
)
SELECT
    customer_id,
    CASE
        WHEN rank_share < $high THEN 'high'
        WHEN rank_share < $high + $medium THEN 'medium'
        ELSE 'low'
    END AS label
FROM ranked;
