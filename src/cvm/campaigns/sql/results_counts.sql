-- Result rows read and rows kept.
SELECT count(*), count(*) FILTER (WHERE reason IS NULL) FROM results_import
