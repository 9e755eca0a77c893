-- Assignment rows loaded and read.
SELECT count(*) FILTER (WHERE reason IS NULL), count(*) FROM assignment_import
