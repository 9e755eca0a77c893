-- True when every valid row of this load has its own transaction_id (the usual export):
-- distinct hashes prove distinct ids; a collision only sends the load to the full path.
SELECT count(*) = count(DISTINCT hash(transaction_id)) AS unique_ids
FROM _cvm_tx_rows
WHERE reason IS NULL
