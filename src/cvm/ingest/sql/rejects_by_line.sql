SELECT _line FROM _cvm_rejects WHERE _rec IS NULL
