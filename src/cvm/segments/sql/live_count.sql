-- Rows a live refresh wrote.
SELECT count(*) FROM live_rows
