-- name: identity
SELECT customer_id FROM identities WHERE source = $source AND source_id = $source_id LIMIT 1;

-- name: merged_into
SELECT into_customer_id FROM customer_merges WHERE from_customer_id = $customer_id
ORDER BY merged_at DESC LIMIT 1;

-- name: merge_pair
CREATE OR REPLACE TEMP TABLE _id_merge_map AS
SELECT CAST($from_id AS VARCHAR) AS from_id, CAST($into_id AS VARCHAR) AS into_id;
