-- Contract churn rows as of $cutoff: one per customer with a contract running that day, with
-- its features (tenure, days on the current contract, contracts so far, monthly amount, the
-- current plan), the customer's CRM attributes (JSON text) and the label: none of the
-- customer's contracts is still running on $end (every one ended within the horizon).
WITH running AS (
    SELECT customer_id, plan, CAST(started AS DATE) AS started, monthly_amount,
           row_number() OVER (PARTITION BY customer_id ORDER BY started DESC, subscription_id)
               AS rn
    FROM subscriptions
    WHERE CAST(started AS DATE) <= $cutoff
      AND (ended IS NULL OR CAST(ended AS DATE) > $cutoff)
),
history AS (
    SELECT customer_id, min(CAST(started AS DATE)) AS first_started, count(*) AS contracts
    FROM subscriptions
    WHERE CAST(started AS DATE) <= $cutoff
    GROUP BY customer_id
),
later AS (
    SELECT DISTINCT customer_id FROM subscriptions
    WHERE CAST(started AS DATE) <= $end AND (ended IS NULL OR CAST(ended AS DATE) > $end)
)
SELECT r.customer_id,
       CAST(date_diff('day', h.first_started, $cutoff) AS DOUBLE) AS tenure_days,
       CAST(date_diff('day', r.started, $cutoff) AS DOUBLE) AS contract_days,
       CAST(h.contracts AS DOUBLE) AS contracts,
       r.monthly_amount,
       coalesce(r.plan, '(no plan)') AS plan,
       CAST(c.attributes AS VARCHAR) AS attributes,
       l.customer_id IS NULL AS churned
FROM running AS r
JOIN history AS h USING (customer_id)
LEFT JOIN customers AS c USING (customer_id)
LEFT JOIN later AS l USING (customer_id)
WHERE r.rn = 1
ORDER BY r.customer_id
