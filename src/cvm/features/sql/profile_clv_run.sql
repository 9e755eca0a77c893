-- CLV columns of the profile from a stored clv run's scores.
CREATE OR REPLACE TEMP TABLE profile_clv AS
SELECT customer_id, clv, p_alive, expected_purchases
FROM scores
WHERE run_id = $run_id
