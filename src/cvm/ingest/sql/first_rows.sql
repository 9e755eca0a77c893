-- The valid rows of a load, each with the first row (by _seq) of its key in this load and that
-- row's content hash: what the <kind>_status.sql files classify. __key__: the kind's key columns.
SELECT
    *,
    min(_seq) OVER w AS first_seq,
    arg_min(content_hash, _seq) OVER w AS first_hash
FROM __rows__
WHERE reason IS NULL
WINDOW w AS (PARTITION BY __key__)
