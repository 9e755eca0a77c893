-- Loaded and duplicate rows of this load: uniform keys from _cvm_tx_keys, the rest from
-- _cvm_tx_status (whose 'load' rows are already counted as new keys).
SELECT
    (SELECT count(*) FROM _cvm_tx_keys WHERE stored_hash IS NULL) AS loaded,
    (
        SELECT coalesce(sum(CASE WHEN stored_hash IS NULL THEN n - 1 ELSE n END), 0)
        FROM _cvm_tx_keys
        WHERE hmin = hmax AND (stored_hash IS NULL OR stored_hash = hmin)
    )
    + (SELECT count(*) FROM _cvm_tx_status WHERE status = 'duplicate') AS duplicates;
