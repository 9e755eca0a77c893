-- The named RFM map as a lookup over every score triple (rfm_map_rows: r, f, m, segment, the
-- first rule that holds for the triple, evaluated in the rule sandbox; NULL when none does).
CREATE OR REPLACE TEMP TABLE rfm_map_lookup AS
SELECT CAST(r AS INTEGER) AS r,
       CAST(f AS INTEGER) AS f,
       CAST(m AS INTEGER) AS m,
       CAST(segment AS VARCHAR) AS segment
FROM rfm_map_rows
