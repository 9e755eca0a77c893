-- Classify valid rows: 'load' (first of a new key), 'duplicate' (same content as a stored or an
-- earlier row), or 'conflict' (same key, different content).
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
JOIN _cvm_tx_keys AS k ON k.transaction_id = t.transaction_id
WHERE t.reason IS NULL;
