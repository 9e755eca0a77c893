-- The keys that work: name, role and hash, for the service's key ring.
SELECT name, role, key_hash FROM api_keys WHERE revoked_at IS NULL ORDER BY name;
