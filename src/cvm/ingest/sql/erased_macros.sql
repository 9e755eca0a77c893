-- Keyed hashes of identifiers and the forms in which identifiers are compared (temporary
-- macros). The HMAC key's pads sit in the temp table _cvm_erasure_key (ipad, opad).

-- _cvm_hmac: HMAC-SHA256 (RFC 2104) of text v, as hex.
CREATE OR REPLACE TEMP MACRO _cvm_hmac(v, ipad, opad) AS
    sha256(opad || unhex(sha256(ipad || encode(v))));

-- _cvm_id_forms: an identifier as given (trimmed), and an e-mail address also lower-cased;
-- callers pass no empty value.
CREATE OR REPLACE TEMP MACRO _cvm_id_forms(v) AS
    CASE WHEN contains(v, '@') THEN list_distinct(['id:' || trim(v), 'id:' || lower(trim(v))])
        ELSE ['id:' || trim(v)] END;

-- _cvm_phone_form: the digits of a value written like a phone number (+44 7700 900777,
-- (555) 000-1234), else NULL; so one number matches however it is spaced.
CREATE OR REPLACE TEMP MACRO _cvm_phone_form(v) AS
    CASE WHEN regexp_full_match(trim(v), '\+?[0-9][0-9 ().\-/]{4,}[0-9]')
        THEN 'phone:' || regexp_replace(v, '[^0-9]', '', 'g') END;

-- _cvm_legacy_form: the digest the erasure log held before it was keyed (sha256 of the id).
CREATE OR REPLACE TEMP MACRO _cvm_legacy_form(v) AS sha256('cvm-erasure:' || v);

-- _cvm_id_tokens: e-mail addresses and phone-like numbers written anywhere in a text.
CREATE OR REPLACE TEMP MACRO _cvm_id_tokens(txt) AS
    regexp_extract_all(coalesce(txt, ''), '[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+')
    || regexp_extract_all(coalesce(txt, ''), '\+?[0-9][0-9 ().\-]{4,}[0-9]');

-- _cvm_id_fields: every field of a raw row (split at delimiters and quotes) and its tokens.
CREATE OR REPLACE TEMP MACRO _cvm_id_fields(txt) AS
    string_split_regex(coalesce(txt, ''), '[,;\t|"'' ]+') || _cvm_id_tokens(txt);
