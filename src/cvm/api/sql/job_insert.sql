-- A new job, queued (POST /v1/jobs).
INSERT INTO jobs (job_id, kind, args, status, created_at)
VALUES ($job_id, $kind, $args, 'queued', $now)
