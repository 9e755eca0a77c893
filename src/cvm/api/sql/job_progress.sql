-- Where a running job is (written at most about once a second).
UPDATE jobs SET done = $done, total = $total, step = $step WHERE job_id = $job_id
