-- The survivor of a merged-away customer id $id (the latest merge), if any.
SELECT into_customer_id FROM customer_merges WHERE from_customer_id = $id
ORDER BY merged_at DESC LIMIT 1;
