-- No earlier churn risk in a profile built on an engine (see engine_profile_clv.sql).
SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS DOUBLE) AS churn_risk
WHERE 1 = 0
