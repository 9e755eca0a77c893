-- Rows refused by this load: failed checks, and keys already taken with different content.
INSERT INTO _cvm_rejects (_rec, _line, _raw, reason)
SELECT _rec, _line, _raw, reason FROM _cvm_tx_rows WHERE reason IS NOT NULL
UNION ALL
SELECT t._rec, t._line, t._raw, 'duplicate transaction_id with different content'
FROM _cvm_tx_rows AS t
JOIN _cvm_tx_status AS s ON s._seq = t._seq
WHERE s.status = 'conflict';
