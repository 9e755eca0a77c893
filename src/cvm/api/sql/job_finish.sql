-- A job ended: succeeded with its summary, or failed with one line; its last progress.
UPDATE jobs
SET status = $status, result = $result, error = $error, finished_at = $now,
    done = $done, total = $total, step = $step
WHERE job_id = $job_id
