-- The key's pads; legacy: the log holds digests from before it was keyed.
INSERT INTO _cvm_erasure_key
SELECT $ipad, $opad,
    (SELECT count(*) > 0 FROM erasures WHERE scheme IN ('sha256', 'hmac-sha256(sha256)'))
