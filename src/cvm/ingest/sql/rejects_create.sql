-- Refused rows of the current load before they are written to rejected_rows.
CREATE OR REPLACE TEMP TABLE _cvm_rejects (
    _rec BIGINT,
    _line BIGINT,
    _raw VARCHAR,
    reason VARCHAR NOT NULL
);
