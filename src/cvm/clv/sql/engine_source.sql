-- The canonical transaction columns for the as-of summary, from the `transactions` source of
-- any engine. Optional columns a source lacks are filled with NULL by the job (holes below).
SELECT CAST(customer_id AS VARCHAR) AS customer_id,
       CAST(ts AS TIMESTAMP) AS ts,
       CAST(amount AS DOUBLE) AS amount,
       CAST(__transaction_id__ AS VARCHAR) AS transaction_id,
       CAST(__is_refund__ AS BOOLEAN) AS is_refund,
       CAST(__refund_of__ AS VARCHAR) AS refund_of
FROM transactions
