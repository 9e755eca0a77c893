-- Rows of keys that need a look row by row: keys whose rows differ, or whose stored content
-- differs. Each is 'duplicate' (same content as the stored or the first row) or 'conflict'.
-- Keys whose rows all agree are counted from __keys__ alone (transactions_counts.sql).
CREATE OR REPLACE TEMP TABLE __status__ AS
SELECT
    t._seq,
    _cvm_insert_status(
        k.stored_hash IS NOT NULL AND k.stored_hash = t.content_hash,
        k.stored_hash IS NOT NULL,
        t._seq = k.first_seq,
        t.content_hash = k.first_hash
    ) AS status
FROM __rows__ AS t
JOIN (
    SELECT * FROM __keys__
    WHERE hmin <> hmax OR (stored_hash IS NOT NULL AND stored_hash <> hmin)
) AS k ON k.transaction_id = t.transaction_id
WHERE t.reason IS NULL;
