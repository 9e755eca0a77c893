-- Refused rows of a loader's working table: failed checks, then keys already taken with
-- different content. __rows__ and __status__ are the loader's fixed working-table names.
INSERT INTO _cvm_rejects (_rec, _line, _raw, reason)
SELECT _rec, _line, _raw, reason FROM __rows__ WHERE reason IS NOT NULL
UNION ALL
SELECT t._rec, t._line, t._raw, $conflict
FROM __rows__ AS t
JOIN __status__ AS s ON s._seq = t._seq
WHERE s.status = 'conflict';
