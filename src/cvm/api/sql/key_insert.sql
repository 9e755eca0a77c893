-- A new key: its name, role and the SHA-256 of its text (never the text).
INSERT INTO api_keys (name, role, key_hash, created_at)
VALUES ($name, $role, $key_hash, $created_at);
