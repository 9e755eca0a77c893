-- A staged run's columns and their types, to name what a file lacks.
SELECT column_name, data_type
FROM duckdb_columns()
WHERE table_name = $table AND database_name = 'temp'
