-- Purchases in the holdout window (cutoff, holdout_end] of the customers known at the cutoff,
-- counted with the same rules as summary.sql (refunds netted, same-period purchases merged).
-- Parameters: $cutoff, $holdout_end (DATEs), $unit_days, $period.
WITH win AS (
    SELECT customer_id, transaction_id, CAST(ts AS DATE) AS day, amount,
           coalesce(is_refund, amount < 0) AS is_refund, refund_of
    FROM summary_source
    WHERE CAST(ts AS DATE) > $cutoff AND CAST(ts AS DATE) <= $holdout_end
),
linked AS (
    SELECT refund_of, sum(amount) AS refunded
    FROM win
    WHERE is_refund AND refund_of IS NOT NULL
    GROUP BY refund_of
),
periods AS (
    SELECT o.customer_id, date_trunc($period, o.day) AS period,
           greatest(sum(o.amount + coalesce(l.refunded, 0)), 0) AS value
    FROM win AS o
    LEFT JOIN linked AS l ON l.refund_of = o.transaction_id
    WHERE NOT o.is_refund
      AND NOT (l.refunded IS NOT NULL AND o.amount + l.refunded <= 0)
    GROUP BY ALL
)
SELECT customer_id,
       CAST(count(*) AS DOUBLE) AS frequency_holdout,
       avg(value) AS monetary_value_holdout
FROM periods
GROUP BY customer_id
