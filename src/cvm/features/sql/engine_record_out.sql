-- A run's record (run_record: one row), as written beside its tables.
SELECT * FROM run_record
