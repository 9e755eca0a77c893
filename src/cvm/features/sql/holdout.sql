-- Purchase periods in the holdout window (cutoff, holdout_end] of the customers who had bought by
-- the cutoff, counted with the rules of summary.sql (refunds netted, same-period purchases one).
-- Parameters: $cutoff, $holdout_end (DATEs), $period.
CREATE OR REPLACE TEMP TABLE holdout_periods AS
WITH known AS (
    SELECT DISTINCT customer_id
    FROM summary_source
    WHERE CAST(ts AS DATE) <= $cutoff AND NOT coalesce(is_refund, amount < 0)
),
win AS (
    SELECT customer_id, transaction_id, CAST(ts AS DATE) AS day, amount,
           coalesce(is_refund, amount < 0) AS is_refund, refund_of
    FROM summary_source
    SEMI JOIN known USING (customer_id)
    WHERE CAST(ts AS DATE) > $cutoff AND CAST(ts AS DATE) <= $holdout_end
),
linked AS (
    SELECT refund_of, sum(amount) AS refunded
    FROM win
    WHERE is_refund AND refund_of IS NOT NULL
    GROUP BY refund_of
)
SELECT o.customer_id, date_trunc($period, o.day) AS period, min(o.day) AS day,
       greatest(sum(o.amount + coalesce(l.refunded, 0)), 0) AS value
FROM win AS o
LEFT JOIN linked AS l ON l.refund_of = o.transaction_id
WHERE NOT o.is_refund
  AND NOT (l.refunded IS NOT NULL AND o.amount + l.refunded <= 0)
GROUP BY o.customer_id, date_trunc($period, o.day)
