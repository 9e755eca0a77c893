SELECT count(*) FROM _cvm_rejects WHERE _rec IS NULL
