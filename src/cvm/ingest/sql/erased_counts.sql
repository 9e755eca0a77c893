-- Identifiers erased, and log rows from before the log was keyed.
SELECT (SELECT count(*) FROM erased_identifiers),
    (SELECT count(*) FROM erasures WHERE scheme = 'sha256')
