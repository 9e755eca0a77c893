-- Customer equity (sum of CLV) of every CLV run with scores, in order of cutoff, with the
-- change from the run before.
WITH runs AS (
    SELECT
        r.run_id,
        r.cutoff,
        r.created_at,
        r.model,
        count(*) AS customers,
        sum(s.clv) AS customer_equity,
        avg(s.clv) AS mean_clv,
        median(s.clv) AS median_clv
    FROM model_runs AS r
    JOIN scores AS s ON s.run_id = r.run_id
    WHERE r.kind = 'clv' AND s.clv IS NOT NULL
        AND ($as_of IS NULL OR r.cutoff <= CAST($as_of AS TIMESTAMP))
    GROUP BY r.run_id, r.cutoff, r.created_at, r.model
)
SELECT
    *,
    customer_equity - lag(customer_equity) OVER w AS equity_change,
    customers - lag(customers) OVER w AS customers_change
FROM runs
WINDOW w AS (ORDER BY cutoff, created_at, run_id)
ORDER BY cutoff, created_at, run_id;
