-- The riskiest customers of a churn run, for the command line.
SELECT customer_id, churn_risk, reason_1, reason_2, reason_3
FROM churn_scores
ORDER BY churn_risk DESC, customer_id
LIMIT $top
