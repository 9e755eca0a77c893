-- A run's Parquet files as written by an engine, staged as __rows__ with where each row came
-- from (import_file, and import_line: the row's 1-based position in its file).
CREATE OR REPLACE TEMP TABLE __rows__ AS
SELECT * EXCLUDE (filename, file_row_number), filename AS import_file,
    file_row_number + 1 AS import_line
FROM read_parquet($files, filename = true, file_row_number = true, union_by_name = true)
