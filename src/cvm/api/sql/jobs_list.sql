-- The newest jobs first.
SELECT job_id, kind, args, status, done, total, step, result, error, created_at, started_at,
       finished_at
FROM jobs
ORDER BY created_at DESC, job_id DESC
LIMIT $limit
