-- Refused rows of a file with multi-line records, located by parsing the records
-- (_cvm_located: scanner-refused rows by the scanner's line, the others by record number).
UPDATE _cvm_rejects AS r
SET _line = x.line, _raw = x.raw
FROM _cvm_located AS x
WHERE (x.scanner AND r._rec IS NULL AND r._line = x.k)
    OR (NOT x.scanner AND r._line IS NULL AND r._rec = x.k);
