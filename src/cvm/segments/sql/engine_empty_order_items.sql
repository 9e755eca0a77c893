-- No order lines folder: an empty order_items relation with the columns profile.sql reads.
SELECT CAST(NULL AS VARCHAR) AS transaction_id, CAST(NULL AS VARCHAR) AS category
WHERE 1 = 0
