-- CLV columns of the profile from a table of scores on the engine (__table__: clv_scores).
CREATE OR REPLACE TEMP TABLE profile_clv AS
SELECT customer_id, clv, p_alive, expected_purchases
FROM __table__
