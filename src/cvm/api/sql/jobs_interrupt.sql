-- Jobs left queued or running by a server that stopped: they will never finish.
UPDATE jobs
SET status = 'failed', error = $error, finished_at = $now
WHERE status IN ('queued', 'running')
