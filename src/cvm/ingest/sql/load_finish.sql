UPDATE loads
SET finished_at = now(), rows_read = $rows_read, rows_loaded = $loaded,
    rows_duplicate = $duplicates, rows_rejected = $rejected
WHERE load_id = $load_id;
