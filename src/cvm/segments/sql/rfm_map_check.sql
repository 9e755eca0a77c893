-- An empty table with the columns an RFM map rule may name, to check the rules against.
CREATE OR REPLACE TEMP TABLE rfm_map_check (
    customer_id VARCHAR, r INTEGER, f INTEGER, m INTEGER, fm DOUBLE
)
