-- The customers of a segments run whose churn risk puts the most CLV at risk.
SELECT customer_id, churn_risk, array_to_string(churn_reasons, ', ') AS reasons, lifecycle, clv
FROM scores
WHERE run_id = $run_id AND churn_risk IS NOT NULL
ORDER BY churn_risk * coalesce(clv, 0) DESC, customer_id
LIMIT $top
