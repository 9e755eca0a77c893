-- No subscriptions folder: an empty subscriptions relation with the columns the churn SQL reads.
SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS TIMESTAMP) AS started,
       CAST(NULL AS TIMESTAMP) AS ended
WHERE 1 = 0
