-- Every key, oldest first, without its hash.
SELECT name, role, created_at, last_used_at, revoked_at
FROM api_keys
ORDER BY created_at, name;
