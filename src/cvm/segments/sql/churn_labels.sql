-- Churn label of every buyer as of $cutoff: no purchase in ($cutoff, $end], or a subscription
-- running at the cutoff and none running at the end (the contract ended).
WITH buyers AS (
    SELECT DISTINCT customer_id FROM transactions
    WHERE CAST(ts AS DATE) <= $cutoff AND NOT coalesce(is_refund, amount < 0)
),
later AS (
    SELECT DISTINCT customer_id FROM transactions
    WHERE CAST(ts AS DATE) > $cutoff AND CAST(ts AS DATE) <= $end
      AND NOT coalesce(is_refund, amount < 0)
),
contracts AS (
    SELECT customer_id,
           count(*) FILTER (WHERE CAST(started AS DATE) <= $cutoff
                              AND (ended IS NULL OR CAST(ended AS DATE) > $cutoff)) AS at_cutoff,
           count(*) FILTER (WHERE CAST(started AS DATE) <= $end
                              AND (ended IS NULL OR CAST(ended AS DATE) > $end)) AS at_end
    FROM subscriptions
    GROUP BY customer_id
)
SELECT b.customer_id,
       l.customer_id IS NULL OR coalesce(k.at_cutoff > 0 AND k.at_end = 0, false) AS churned
FROM buyers AS b
LEFT JOIN later AS l USING (customer_id)
LEFT JOIN contracts AS k USING (customer_id)
ORDER BY b.customer_id
