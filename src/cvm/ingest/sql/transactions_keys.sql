-- One row per valid transaction_id of this load: its first row, whether all its rows have the
-- same content (hmin = hmax), and the content already stored under it, if any.
CREATE OR REPLACE TEMP TABLE __keys__ AS
SELECT
    k.transaction_id,
    k.first_seq,
    k.first_hash,
    k.n,
    k.hmin,
    k.hmax,
    e.content_hash AS stored_hash
FROM (
    SELECT
        transaction_id,
        min(_seq) AS first_seq,
        arg_min(content_hash, _seq) AS first_hash,
        count(*) AS n,
        min(content_hash) AS hmin,
        max(content_hash) AS hmax
    FROM __rows__
    WHERE reason IS NULL
    GROUP BY transaction_id
) AS k
LEFT JOIN transactions AS e ON e.transaction_id = k.transaction_id;
