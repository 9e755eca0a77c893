SELECT count(*) FROM __rows__ WHERE transaction_id IS NULL
