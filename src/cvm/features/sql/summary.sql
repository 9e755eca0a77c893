-- As-of purchase summary per customer (the sufficient statistics of the BTYD models).
-- Source view: summary_source(customer_id, transaction_id, ts, amount, is_refund, refund_of).
-- Refunds linked to an order are netted into it; an order refunded in full is not a purchase;
-- unlinked refunds are netted into the customer's purchases of the same period. Only rows on or
-- before the cutoff day count, so a later refund never leaks into an earlier cutoff.
-- Parameters: $cutoff (DATE, inclusive), $unit_days (1 = days, 7 = weeks), $period ('day',
-- 'week' or 'month': purchases in the same period are one purchase).
--
-- One pass over the rows, plus one small join. Whether an order survives (refunded in full or
-- not) and which period a linked refund nets into are known only from the order it names, so
-- each order row probes the refunds that name an order (a few percent of the rows: the join's
-- build side, summed per order first). No conditional aggregation or window can replace it: a
-- refund's own row carries neither the order's day nor its amount, and grouping every row by
-- order id instead hashes all rows into as many groups as orders, dearer than the probe.
-- Unlinked refunds need no join: they go through the same pass, flagged as not orders, as
-- negative amounts. Each CTE is read once, so none is materialized (DuckDB keeps a CTE read
-- twice as a temporary table: at 100M rows that was the whole log, held or spilled); the
-- linked refunds are a second, narrow read of the source (no customer or order id columns).
WITH linked AS (
    SELECT refund_of, sum(amount) AS refunded
    FROM summary_source
    WHERE CAST(ts AS DATE) <= $cutoff
      AND coalesce(is_refund, amount < 0)
      AND refund_of IS NOT NULL
    GROUP BY refund_of
),
as_of AS (
    SELECT customer_id, transaction_id, CAST(ts AS DATE) AS day, amount,
           coalesce(is_refund, amount < 0) AS is_refund, refund_of
    FROM summary_source
    WHERE CAST(ts AS DATE) <= $cutoff
),
moves AS (
    SELECT o.customer_id, o.day,
           o.amount + coalesce(l.refunded, 0) AS amount,
           CASE WHEN NOT o.is_refund THEN o.day END AS order_day
    FROM as_of AS o
    LEFT JOIN linked AS l ON l.refund_of = o.transaction_id AND NOT o.is_refund
    WHERE CASE WHEN o.is_refund THEN o.refund_of IS NULL
               ELSE NOT (l.refunded IS NOT NULL AND o.amount + l.refunded <= 0) END
),
periods AS (
    SELECT customer_id,
           min(order_day) AS day,
           greatest(sum(amount), 0) AS value
    FROM moves
    GROUP BY customer_id, date_trunc($period, day)
    HAVING count(order_day) > 0
),
per_customer AS (
    SELECT customer_id,
           count(*) AS n_periods,
           min(day) AS first_day,
           max(day) AS last_day,
           sum(value) AS total_value,
           arg_min(value, day) AS first_value
    FROM periods
    GROUP BY customer_id
)
SELECT customer_id,
       CAST(n_periods - 1 AS DOUBLE) AS frequency,
       date_diff('day', first_day, last_day) / $unit_days AS recency,
       date_diff('day', first_day, $cutoff) / $unit_days AS T,
       CASE WHEN n_periods > 1
            THEN (total_value - first_value) / (n_periods - 1)
            ELSE 0 END AS monetary_value,
       first_day AS first_purchase,
       last_day AS last_purchase
FROM per_customer
