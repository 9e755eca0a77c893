UPDATE ingest_rekeys SET done_at = now()::TIMESTAMP, rows_rekeyed = $rekeyed
WHERE table_name = 'transactions'
