SELECT _rec FROM _cvm_rejects WHERE _line IS NULL
