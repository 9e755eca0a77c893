-- Keep the keyed hash of every form of every identifier in _pv_identifiers(value, kind,
-- is_phone): a customer's ids, e-mails and phones (kind 'person') and order ids ('order').
INSERT INTO erased_identifiers (id_hash, kind)
SELECT DISTINCT _cvm_hmac(f, ek.ipad, ek.opad), i.kind
FROM (
    SELECT
        kind,
        unnest(CASE WHEN is_phone THEN list_append(_cvm_id_forms(value), _cvm_phone_form(value))
            ELSE _cvm_id_forms(value) END) AS f
    FROM _pv_identifiers
    WHERE value IS NOT NULL AND trim(value) <> ''
) AS i
CROSS JOIN _cvm_erasure_key AS ek
WHERE i.f IS NOT NULL
EXCEPT
SELECT id_hash, kind FROM erased_identifiers;
