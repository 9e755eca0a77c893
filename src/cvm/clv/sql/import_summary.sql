-- What an import found: rows per reason (NULL: kept) and the run's as-of days.
SELECT reason, count(*) AS n, min(cutoff) AS first_day, max(cutoff) AS last_day
FROM import_checked
GROUP BY reason
ORDER BY reason NULLS FIRST
