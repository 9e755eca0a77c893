-- Log one erasure: a keyed hash of the customer id and the rows deleted, never the id.
INSERT INTO erasures (id_hash, rows_deleted, scheme) VALUES ($id_hash, $rows_deleted, 'hmac-sha256');
