-- The events folder (__source__) with the canonical columns and types (see
-- source_transactions.sql); no folder reads as no rows.
CREATE OR REPLACE TEMP VIEW source_events AS
SELECT CAST(__customer_id__ AS VARCHAR) AS customer_id,
       CAST(__ts__ AS TIMESTAMP) AS ts,
       CAST(__type__ AS VARCHAR) AS type,
       CAST(__event__ AS VARCHAR) AS event
FROM __source__
