-- No CLV scores: the profile's CLV columns stay NULL.
CREATE OR REPLACE TEMP TABLE profile_clv (
    customer_id VARCHAR, clv DOUBLE, p_alive DOUBLE, expected_purchases DOUBLE
)
