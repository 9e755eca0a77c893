-- Contract histories for the sBG model as of $cutoff: one row per subscription started by then,
-- with its group (plan, or the month it started: its cohort), the days it was observed and
-- whether it had ended. Parameters: $cutoff (DATE), $by ('plan' or 'cohort').
SELECT customer_id,
       CASE WHEN $by = 'plan' THEN coalesce(plan, '(no plan)')
            ELSE strftime(date_trunc('month', CAST(started AS DATE)), '%Y-%m') END AS grp,
       ended IS NOT NULL AND CAST(ended AS DATE) <= $cutoff AS churned,
       date_diff('day', CAST(started AS DATE),
                 least(coalesce(CAST(ended AS DATE), $cutoff), $cutoff)) AS days
FROM subscriptions
WHERE CAST(started AS DATE) <= $cutoff
ORDER BY grp, customer_id
