-- The members of a segments run whose rules have no member (no members folder was written).
CREATE OR REPLACE TEMP TABLE import_members AS
SELECT CAST(NULL AS VARCHAR) AS import_file, CAST(NULL AS BIGINT) AS import_line,
    CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS VARCHAR) AS segment,
    CAST(NULL AS DATE) AS as_of
WHERE FALSE
