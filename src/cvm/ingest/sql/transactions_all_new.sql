-- True when every valid row of this load has its own transaction_id and none is stored yet:
-- the usual first load of a file, which then needs no per-key bookkeeping.
SELECT
    -- distinct hashes prove distinct ids; a collision only sends the load to the full path
    (SELECT count(*) = count(DISTINCT hash(transaction_id)) FROM _cvm_tx_rows WHERE reason IS NULL)
    AND NOT EXISTS (
        SELECT 1
        FROM transactions AS e
        SEMI JOIN _cvm_tx_rows AS t ON t.transaction_id = e.transaction_id
        LIMIT 1
    ) AS all_new
