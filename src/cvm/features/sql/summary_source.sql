-- The source's transactions as summary_source, with the canonical columns and types. An
-- optional column the source lacks (__transaction_id__, __is_refund__, __refund_of__) is NULL.
CREATE OR REPLACE TEMP VIEW summary_source AS
SELECT CAST(customer_id AS VARCHAR) AS customer_id,
       CAST(ts AS TIMESTAMP) AS ts,
       CAST(amount AS DOUBLE) AS amount,
       CAST(__transaction_id__ AS VARCHAR) AS transaction_id,
       CAST(__is_refund__ AS BOOLEAN) AS is_refund,
       CAST(__refund_of__ AS VARCHAR) AS refund_of
FROM __source__
