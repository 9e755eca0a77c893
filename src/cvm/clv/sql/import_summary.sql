-- What an import found in a checked table (import_checked, or a segments run's members):
-- rows per reason (NULL: kept) and the run's as-of days.
SELECT reason, count(*) AS n, min(cutoff) AS first_day, max(cutoff) AS last_day
FROM __checked__
GROUP BY reason
ORDER BY reason NULLS FIRST
