-- One customer's live profile: the answer of GET /v1/profiles/{id}, as stored.
SELECT CAST(profile AS VARCHAR)
FROM live_profiles
WHERE customer_id = $customer_id
ORDER BY updated_at DESC
LIMIT 1
