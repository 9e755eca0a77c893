DELETE FROM __rows__ WHERE __key__ IN (SELECT k FROM _cvm_erased_rows) RETURNING 1
