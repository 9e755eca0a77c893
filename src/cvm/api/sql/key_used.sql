-- When a key was last used.
UPDATE api_keys SET last_used_at = $now WHERE name = $name;
