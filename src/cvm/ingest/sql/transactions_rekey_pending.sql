SELECT count(*) FROM ingest_rekeys WHERE table_name = 'transactions' AND done_at IS NULL
