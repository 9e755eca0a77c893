-- How many test members have an outcome and features: what the sample is drawn from.
SELECT count(*)
FROM uplift_rows AS f
JOIN uplift_members AS m ON CAST(m.customer_id AS VARCHAR) = f.customer_id
WHERE m.outcome IS NOT NULL
