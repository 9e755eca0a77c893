-- The order lines folder (__source__) with the canonical columns and types (see
-- source_transactions.sql); no folder reads as no rows.
CREATE OR REPLACE TEMP VIEW source_order_items AS
SELECT CAST(__transaction_id__ AS VARCHAR) AS transaction_id,
       CAST(__category__ AS VARCHAR) AS category,
       CAST(__amount__ AS DOUBLE) AS amount
FROM __source__
