SELECT count(*), count(*) FILTER (WHERE _line IS NULL) FROM _cvm_rejects
