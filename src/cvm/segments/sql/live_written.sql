-- The rows a scoped live refresh just wrote, for the service's copy in memory.
SELECT customer_id, CAST(profile AS VARCHAR) AS profile FROM live_rows
