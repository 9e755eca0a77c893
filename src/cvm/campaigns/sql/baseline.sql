-- Per customer seen before the last $days days of data: converted in them (0/1) and revenue;
-- returned as (customers, conversion, mean revenue, revenue SD).
WITH bounds AS (
    SELECT max(ts) - to_days(CAST($days AS INTEGER)) AS since FROM transactions
),
base AS (
    SELECT customer_id FROM customers, bounds WHERE first_seen < since
),
spend AS (
    SELECT t.customer_id, sum(t.amount) AS revenue
    FROM transactions AS t, bounds
    WHERE t.ts >= since
    GROUP BY t.customer_id
)
SELECT count(*), avg((s.revenue > 0)::INT), avg(coalesce(s.revenue, 0)),
       stddev_samp(coalesce(s.revenue, 0))
FROM base AS b
LEFT JOIN spend AS s USING (customer_id)
