-- Rows of keys that need a look row by row: keys whose rows differ, or whose stored content
-- differs. Each is 'duplicate' (same content as the stored or the first row) or 'conflict'.
-- Keys whose rows all agree are counted from _cvm_tx_keys alone (transactions_counts.sql).
CREATE OR REPLACE TEMP TABLE _cvm_tx_status AS
SELECT
    t._seq,
    CASE
        WHEN k.stored_hash IS NOT NULL AND k.stored_hash = t.content_hash THEN 'duplicate'
        WHEN k.stored_hash IS NOT NULL THEN 'conflict'
        WHEN t._seq = k.first_seq THEN 'load'
        WHEN t.content_hash = k.first_hash THEN 'duplicate'
        ELSE 'conflict'
    END AS status
FROM _cvm_tx_rows AS t
JOIN (
    SELECT * FROM _cvm_tx_keys
    WHERE hmin <> hmax OR (stored_hash IS NOT NULL AND stored_hash <> hmin)
) AS k ON k.transaction_id = t.transaction_id
WHERE t.reason IS NULL;
