SELECT count(*) FROM _cvm_tx_rows WHERE transaction_id IS NULL
