-- No rows, only the columns of __source__ (a file reader).
SELECT * FROM __source__ LIMIT 0
