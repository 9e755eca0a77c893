-- A CSV file's rows, every column as text (the header names them).
SELECT * FROM read_csv($path, all_varchar = true, header = true)
