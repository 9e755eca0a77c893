-- One job.
SELECT job_id, kind, args, status, done, total, step, result, error, created_at, started_at,
       finished_at
FROM jobs
WHERE job_id = $job_id
