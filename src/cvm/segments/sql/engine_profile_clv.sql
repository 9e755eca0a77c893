-- The churn job on an engine builds the profile without CLV and without an earlier churn risk:
-- empty profile_clv and profile_churn relations (one statement each, named by the job).
SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS DOUBLE) AS clv,
       CAST(NULL AS DOUBLE) AS p_alive, CAST(NULL AS DOUBLE) AS expected_purchases
WHERE 1 = 0
