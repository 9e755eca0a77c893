-- The profile's CLV columns from the scores of the fit made for it (clv_scores).
SELECT customer_id, clv, p_alive, expected_purchases
FROM clv_scores
