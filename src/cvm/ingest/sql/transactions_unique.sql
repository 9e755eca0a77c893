-- True when every valid row of this load has its own transaction_id (the usual export):
-- distinct hashes prove distinct ids; a collision only sends the load to the full path.
SELECT count(*) = count(DISTINCT hash(transaction_id)) AS unique_ids
FROM __rows__
WHERE reason IS NULL
