-- Rows refused by this load: failed checks, and keys already taken with different content.
INSERT INTO _cvm_rejects (_rec, _line, _raw, reason)
SELECT _rec, _line, _raw, reason FROM __rows__ WHERE reason IS NOT NULL
UNION ALL
SELECT t._rec, t._line, t._raw, 'duplicate transaction_id with different content'
FROM __rows__ AS t
JOIN __status__ AS s ON s._seq = t._seq
WHERE s.status = 'conflict';
