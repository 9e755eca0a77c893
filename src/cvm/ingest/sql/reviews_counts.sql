SELECT status, count(*) FROM _cvm_rv_status GROUP BY 1
