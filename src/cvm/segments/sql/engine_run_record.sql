-- A segments run's record (segments_run_record: one row), as written beside its tables.
SELECT * FROM segments_run_record
