-- The subscriptions folder (__source__) with the canonical columns and types (see
-- source_transactions.sql); no folder reads as no rows.
CREATE OR REPLACE TEMP VIEW source_subscriptions AS
SELECT CAST(__customer_id__ AS VARCHAR) AS customer_id,
       CAST(__started__ AS TIMESTAMP) AS started,
       CAST(__ended__ AS TIMESTAMP) AS ended
FROM __source__
