-- Every customer seen before the last $days days of data (converted or not, from the
-- customer file or an earlier order): converted in them (a purchase: not a refund, positive
-- amount) and net revenue (refunds included);
-- returned as (customers, conversion, mean revenue, revenue SD) over ALL those customers, so
-- a customer who bought nothing counts as a 0, never drops out of the average.
WITH bounds AS (
    SELECT max(ts) - to_days(CAST($days AS INTEGER)) AS since FROM transactions
),
base AS (  -- known from the customer file, or from an order (a shop without one)
    SELECT customer_id FROM customers, bounds WHERE first_seen < since
    UNION
    SELECT customer_id FROM transactions, bounds WHERE ts < since
),
spend AS (
    SELECT t.customer_id,
           count(*) FILTER (WHERE NOT t.is_refund AND t.amount > 0) > 0 AS converted,
           sum(t.amount) AS revenue
    FROM transactions AS t, bounds
    WHERE t.ts >= since
    GROUP BY t.customer_id
)
SELECT count(*), avg(coalesce(s.converted, false)::INT), avg(coalesce(s.revenue, 0)),
       stddev_samp(coalesce(s.revenue, 0))
FROM base AS b
LEFT JOIN spend AS s USING (customer_id)
