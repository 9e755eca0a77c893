-- This load's sane ranges (cvm._limits) and timestamp floor ([ingest] timestamp_floor), read by
-- the macros _cvm_floor(), _cvm_max_amount(), _cvm_max_quantity() and _cvm_max_score().
CREATE OR REPLACE TEMP TABLE _cvm_limits AS
SELECT
    CAST($ts_floor AS TIMESTAMP) AS ts_floor,
    CAST($max_amount AS DOUBLE) AS max_amount,
    CAST($max_quantity AS DOUBLE) AS max_quantity,
    CAST($max_score AS DOUBLE) AS max_score;
