-- Refused result rows by reason (the reason's text before its first colon).
SELECT regexp_replace(reason, ': .*$', ''), count(*)
FROM results_import
WHERE reason IS NOT NULL
GROUP BY 1
ORDER BY 2 DESC, 1
