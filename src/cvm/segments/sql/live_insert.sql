-- The refreshed rows (live_rows.sql) into the live table; one id returned per row written.
INSERT INTO live_profiles BY NAME
SELECT * FROM live_rows
RETURNING customer_id
