-- Members per rule segment of a run.
SELECT segment, count(*) AS n
FROM segment_members
WHERE run_id = $run_id
GROUP BY 1
ORDER BY 1
