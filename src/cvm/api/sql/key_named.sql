-- How many keys (revoked or not) carry this name.
SELECT count(*) FROM api_keys WHERE name = $name;
