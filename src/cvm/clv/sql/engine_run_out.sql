-- A run's record (clv_run_record: one row), as written beside its scores.
SELECT * FROM clv_run_record
