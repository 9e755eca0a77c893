-- The ids merged into the given customers: their live rows are gone, a read of them answers
-- the survivor's profile (cvm.segments.live_cache drops what it held under them).
SELECT DISTINCT from_customer_id
FROM customer_merges
WHERE into_customer_id IN (SELECT unnest($customer_ids))
