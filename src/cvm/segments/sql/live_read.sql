-- One customer's live profile: the answer of GET /v1/profiles/{id}, as stored. A plain
-- equality, so DuckDB answers it from the index (an ORDER BY would scan instead); the caller
-- takes the newest row in the rare case a merge left two.
SELECT CAST(profile AS VARCHAR), updated_at
FROM live_profiles
WHERE customer_id = $customer_id
