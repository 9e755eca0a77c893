-- The customers with the highest CLV, for the command line.
SELECT customer_id, expected_purchases, p_alive, expected_spend, clv
FROM clv_scores
ORDER BY clv DESC NULLS LAST, customer_id
LIMIT $top
