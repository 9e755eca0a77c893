-- A Parquet file of transactions (__path__, a string literal) as the view summary_input.
CREATE OR REPLACE TEMP VIEW summary_input AS
SELECT *
FROM read_parquet(__path__)
