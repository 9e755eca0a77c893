-- No events folder: an empty events relation with the columns profile.sql reads.
SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS TIMESTAMP) AS ts
WHERE 1 = 0
