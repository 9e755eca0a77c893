-- A Segment warehouse table (Parquet or CSV) as messages: one JSON object per row.
CREATE OR REPLACE TEMP TABLE _ev_lines AS
SELECT row_number() OVER () AS line, CAST(__message__ AS VARCHAR) AS raw
FROM __source__
