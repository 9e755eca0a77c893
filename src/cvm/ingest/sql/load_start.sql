INSERT INTO loads (load_id, kind, source, started_at) VALUES ($load_id, $kind, $source, now());
