SELECT count(*) FROM _cvm_tx_rows WHERE reason IS NULL
