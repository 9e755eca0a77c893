-- Revoke a working key (a revoked one keeps its first revocation time).
UPDATE api_keys SET revoked_at = $now WHERE name = $name AND revoked_at IS NULL;
