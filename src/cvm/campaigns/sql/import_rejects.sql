-- Rows of the staged and checked __checked__ that were refused, with line, raw line, reason.
INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
SELECT $load_id, $kind, $source, line, raw, reason
FROM __checked__
WHERE reason IS NOT NULL
