-- The kept rows of an imported run, as the workspace's own CLV runs store them.
INSERT INTO scores BY NAME
SELECT $run_id AS run_id, customer_id, CAST($cutoff AS TIMESTAMP) AS cutoff, frequency, recency,
    t, monetary, expected_purchases, p_alive, expected_spend, clv, clv_lower, clv_upper,
    spend_imputed
FROM import_checked
WHERE reason IS NULL
