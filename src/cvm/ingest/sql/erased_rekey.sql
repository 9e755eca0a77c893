-- Log rows written before the log was keyed hold sha256('cvm-erasure:' || id): re-key them
-- under the workspace key (the digest of the digest), so the log alone no longer reveals the
-- id to a guesser, and remember the same digest so that ingest still refuses that id.
INSERT INTO erased_identifiers (id_hash, kind)
SELECT DISTINCT _cvm_hmac(e.id_hash, ek.ipad, ek.opad), 'person'
FROM erasures AS e
CROSS JOIN _cvm_erasure_key AS ek
WHERE e.scheme = 'sha256';

UPDATE erasures
SET id_hash = _cvm_hmac(id_hash, ek.ipad, ek.opad), scheme = 'hmac-sha256(sha256)'
FROM _cvm_erasure_key AS ek
WHERE erasures.scheme = 'sha256';
