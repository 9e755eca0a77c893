-- The CLV distribution of one CLV run ($run_id, or the latest): quantiles, mean and the share
-- of customer equity held by the top 10% and 20% of customers.
WITH chosen AS (
    SELECT r.run_id, r.cutoff
    FROM model_runs AS r
    WHERE r.kind = 'clv'
        AND ($run_id IS NULL OR r.run_id = $run_id)
        AND EXISTS (SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id AND s.clv IS NOT NULL)
    ORDER BY r.created_at DESC, r.run_id DESC
    LIMIT 1
),
ranked AS (
    SELECT s.clv, percent_rank() OVER (ORDER BY s.clv DESC) AS rank_share
    FROM scores AS s
    WHERE s.run_id = (SELECT run_id FROM chosen) AND s.clv IS NOT NULL
)
SELECT
    (SELECT run_id FROM chosen) AS run_id,
    (SELECT cutoff FROM chosen) AS cutoff,
    count(*) AS customers,
    sum(clv) AS customer_equity,
    avg(clv) AS mean,
    quantile_cont(clv, 0.10) AS p10,
    quantile_cont(clv, 0.25) AS p25,
    quantile_cont(clv, 0.50) AS p50,
    quantile_cont(clv, 0.75) AS p75,
    quantile_cont(clv, 0.90) AS p90,
    quantile_cont(clv, 0.99) AS p99,
    max(clv) AS max,
    sum(clv) FILTER (WHERE rank_share < 0.1) / nullif(sum(clv), 0) AS top10_share,
    sum(clv) FILTER (WHERE rank_share < 0.2) / nullif(sum(clv), 0) AS top20_share
FROM ranked;
