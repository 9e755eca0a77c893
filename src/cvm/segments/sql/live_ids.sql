-- The customers a live refresh covers (live_ids_frame: customer_id), distinct.
CREATE OR REPLACE TEMP TABLE live_ids AS
SELECT DISTINCT CAST(customer_id AS VARCHAR) AS customer_id
FROM live_ids_frame
WHERE customer_id IS NOT NULL
