-- As-of purchase summary per customer (the sufficient statistics of the BTYD models).
-- Source view: summary_source(customer_id, transaction_id, ts, amount, is_refund, refund_of).
-- Refunds linked to an order are netted into it; an order refunded in full is not a purchase;
-- unlinked refunds are netted into the customer's purchases of the same period. Only rows on or
-- before the cutoff day count, so a later refund never leaks into an earlier cutoff.
-- Parameters: $cutoff (DATE, inclusive), $unit_days (1 = days, 7 = weeks), $period ('day',
-- 'week' or 'month': purchases in the same period are one purchase).
--
-- One join remains, and it is small: whether an order survives (refunded in full or not) is
-- known only per order, before its period is grouped, so each order row probes the refunds
-- that name an order (a few percent of rows, the join's build side). Unlinked refunds need no
-- join: they enter the period grouping beside the orders (UNION ALL), as negative amounts.
WITH as_of AS (
    SELECT customer_id, transaction_id, CAST(ts AS DATE) AS day, amount,
           coalesce(is_refund, amount < 0) AS is_refund, refund_of
    FROM summary_source
    WHERE CAST(ts AS DATE) <= $cutoff
),
linked AS (
    SELECT refund_of, sum(amount) AS refunded
    FROM as_of
    WHERE is_refund AND refund_of IS NOT NULL
    GROUP BY refund_of
),
moves AS (
    SELECT o.customer_id, o.day, o.amount + coalesce(l.refunded, 0) AS amount, TRUE AS is_order
    FROM as_of AS o
    LEFT JOIN linked AS l ON l.refund_of = o.transaction_id
    WHERE NOT o.is_refund
      AND NOT (l.refunded IS NOT NULL AND o.amount + l.refunded <= 0)
    UNION ALL
    SELECT customer_id, day, amount, FALSE AS is_order
    FROM as_of
    WHERE is_refund AND refund_of IS NULL
),
periods AS (
    SELECT customer_id,
           min(day) FILTER (WHERE is_order) AS day,
           greatest(sum(amount), 0) AS value
    FROM moves
    GROUP BY customer_id, date_trunc($period, day)
    HAVING bool_or(is_order)
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
