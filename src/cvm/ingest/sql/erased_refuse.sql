-- Rows of a load's working table __rows__ that carry an erased identifier: a value of
-- __values__ (a list per row) whose keyed hash, in any form, is in erased_identifiers with
-- kind $kind. Values are hashed once each (distinct), so the cost follows the ids a load
-- holds, not its rows. The holes are filled from cvm.ingest.erased.CHECKS.
CREATE OR REPLACE TEMP TABLE _cvm_erased_rows AS
WITH vals AS (
    SELECT __key__ AS k, unnest(__values__) AS v FROM __rows__
),
forms AS (
    -- the legacy form only while the log holds digests from before it was keyed
    SELECT d.v, ek.ipad, ek.opad, unnest(list_concat(_cvm_id_forms(d.v), [
        _cvm_phone_form(d.v), CASE WHEN ek.legacy THEN _cvm_legacy_form(d.v) END
    ])) AS f
    FROM (SELECT DISTINCT v FROM vals WHERE v IS NOT NULL AND trim(v) <> '') AS d
    CROSS JOIN _cvm_erasure_key AS ek
),
hits AS (
    SELECT DISTINCT forms.v
    FROM forms
    JOIN erased_identifiers AS e
        ON e.id_hash = _cvm_hmac(forms.f, forms.ipad, forms.opad) AND e.kind = $kind
    WHERE forms.f IS NOT NULL
)
SELECT DISTINCT k FROM vals WHERE v IN (SELECT v FROM hits);
