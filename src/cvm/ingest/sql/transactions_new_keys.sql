-- The first row of each key not stored.
SELECT *
FROM __rows__
WHERE reason IS NULL
    AND _seq IN (SELECT first_seq FROM __keys__ WHERE stored_hash IS NULL)
