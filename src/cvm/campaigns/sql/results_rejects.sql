-- The refused rows of results file $source, with their line, raw line and reason.
INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
SELECT $load_id, 'imported_outcomes', $source, line_, raw_, reason
FROM results_import
WHERE reason IS NOT NULL
