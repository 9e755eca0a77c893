-- Write the refused rows of this load, in file order.
INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
SELECT $load_id, $kind, $source, _line, _raw, reason
FROM _cvm_rejects
ORDER BY coalesce(_line, _rec);
