-- The refreshed rows (live_rows.sql) into the live table.
INSERT INTO live_profiles BY NAME
SELECT * FROM live_rows
