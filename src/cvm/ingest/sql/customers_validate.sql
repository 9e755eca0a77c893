-- Type and check staged customer rows (the staged input __input__); consent from yes/no/true/false/1/0.
CREATE OR REPLACE TEMP TABLE __rows__ AS
WITH parsed AS (
    SELECT
        _seq, _rec, _line, _raw,
        _cvm_text(customer_id) AS customer_id,
        _cvm_text(first_seen_text) AS first_seen_text,
        _cvm_ts(first_seen_text, first_seen_naive, first_seen_utc, $tz, $use_fmt, $fmt, $fmt_has_tz) AS first_seen,
        _cvm_text(email) AS email,
        _cvm_text(phone) AS phone,
        _cvm_text(country) AS country,
        _cvm_text(acquisition_channel) AS acquisition_channel,
        consent_email AS c_email,
        consent_sms AS c_sms,
        consent_push AS c_push,
        consent_mail AS c_mail,
        attributes
    FROM __input__ AS staged
),
flags AS (
    SELECT
        *,
        _cvm_flag(c_email) AS consent_email,
        _cvm_flag(c_sms) AS consent_sms,
        _cvm_flag(c_push) AS consent_push,
        _cvm_flag(c_mail) AS consent_mail
    FROM parsed
)
SELECT
    _seq, _rec, _line, _raw, customer_id, first_seen, email, phone, country,
    acquisition_channel, consent_email, consent_sms, consent_push, consent_mail, attributes,
    hash(first_seen, email, phone, country, acquisition_channel, consent_email, consent_sms,
        consent_push, consent_mail, attributes::VARCHAR) AS content_hash,
    CASE
        WHEN customer_id IS NULL THEN 'missing customer id'
        WHEN first_seen IS NULL AND _cvm_bad_offset(first_seen_text)
            THEN 'impossible UTC offset: ' || first_seen_text
        WHEN first_seen IS NULL AND first_seen_text IS NOT NULL
            THEN 'unparseable timestamp: ' || first_seen_text || ' (expected ' || $fmt_label || ')'
        WHEN _cvm_ts_reason(first_seen, first_seen_text) IS NOT NULL
            THEN _cvm_ts_reason(first_seen, first_seen_text)
        WHEN consent_email IS NULL THEN 'invalid consent flag: ' || c_email
        WHEN consent_sms IS NULL THEN 'invalid consent flag: ' || c_sms
        WHEN consent_push IS NULL THEN 'invalid consent flag: ' || c_push
        WHEN consent_mail IS NULL THEN 'invalid consent flag: ' || c_mail
    END AS reason
FROM flags;
