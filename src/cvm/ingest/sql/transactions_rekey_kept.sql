SELECT count(*) FROM transactions WHERE currency NOT IN (SELECT currency FROM _cvm_rates)
