-- The worker took the job.
UPDATE jobs SET status = 'running', started_at = $now WHERE job_id = $job_id
