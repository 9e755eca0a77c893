-- A Parquet file's rows.
SELECT * FROM read_parquet($path)
