-- A message refused before parsing (too large, not an object, an unreadable body).
INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
VALUES ($load_id, 'events', $source, $line, $raw, $reason);
