-- Rows of a load's working table {rows} that carry an erased identifier: a value of {values}
-- (a list per row) whose keyed hash, in any form, is in erased_identifiers with kind $kind.
-- Values are hashed once each (distinct), so the cost follows the ids a load holds, not its
-- rows. {rows}, {key} and {values} are fixed internal names (cvm.ingest.erased.CHECKS).
CREATE OR REPLACE TEMP TABLE _cvm_erased_rows AS
WITH vals AS (
    SELECT {key} AS k, unnest({values}) AS v FROM {rows}
),
forms AS (
    SELECT v, unnest(list_concat(_cvm_id_forms(v), [_cvm_phone_form(v), _cvm_legacy_form(v)])) AS f
    FROM (SELECT DISTINCT v FROM vals WHERE v IS NOT NULL AND trim(v) <> '')
),
hits AS (
    SELECT DISTINCT forms.v
    FROM forms
    CROSS JOIN _cvm_erasure_key AS ek
    JOIN erased_identifiers AS e
        ON e.id_hash = _cvm_hmac(forms.f, ek.ipad, ek.opad) AND e.kind = $kind
    WHERE forms.f IS NOT NULL
)
SELECT DISTINCT k FROM vals WHERE v IN (SELECT v FROM hits);
