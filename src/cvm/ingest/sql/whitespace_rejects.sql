-- Lines of a whitespace-delimited file with another number of fields than $nfields.
INSERT INTO _cvm_rejects (_rec, _line, _raw, reason)
SELECT
    NULL,
    _line,
    _raw,
    'wrong column count: expected ' || $nfields || ', found ' || len(_f)
FROM __lines__
WHERE len(_f) <> $nfields;
