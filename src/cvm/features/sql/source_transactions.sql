-- The transactions folder (__source__) with the canonical columns and types, for the jobs that
-- run on an engine outside the workspace (features/on_engine.py). A column the folder lacks is
-- NULL; without is_refund a negative amount is a refund, as on ingest.
CREATE OR REPLACE TEMP VIEW source_transactions AS
SELECT CAST(__transaction_id__ AS VARCHAR) AS transaction_id,
       CAST(__customer_id__ AS VARCHAR) AS customer_id,
       CAST(__ts__ AS TIMESTAMP) AS ts,
       CAST(__amount__ AS DOUBLE) AS amount,
       CAST(__currency__ AS VARCHAR) AS currency,
       CAST(__channel__ AS VARCHAR) AS channel,
       coalesce(CAST(__is_refund__ AS BOOLEAN), CAST(__amount__ AS DOUBLE) < 0) AS is_refund,
       CAST(__refund_of__ AS VARCHAR) AS refund_of
FROM __source__
