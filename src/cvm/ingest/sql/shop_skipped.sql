SELECT count(*) FROM _cvm_shop WHERE skipped
