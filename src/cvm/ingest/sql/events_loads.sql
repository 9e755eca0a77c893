-- The loads rows of an events file (and of the orders and lines it makes).

-- name: start
INSERT INTO loads (load_id, kind, source, started_at) VALUES ($load_id, $kind, $source, $now);

-- name: finish
UPDATE loads SET finished_at = $now, rows_read = $rows_read, rows_loaded = $loaded,
    rows_duplicate = $duplicates, rows_rejected = $rejected
WHERE load_id = $load_id;

-- name: work_tables
SELECT table_name FROM duckdb_tables()
WHERE temporary AND regexp_matches(table_name, '^_(ev|id)_[a-z_]+$');
