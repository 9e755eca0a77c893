-- Customers per value of one scores column (__column__: segment, tier or lifecycle) of a run.
SELECT coalesce(__column__, '(none)') AS value, count(*) AS n
FROM scores
WHERE run_id = $run_id
GROUP BY 1
ORDER BY 1
