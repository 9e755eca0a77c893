-- Classify valid customer rows: load (new), update (the snapshot changes something stored),
-- duplicate (nothing changes), conflict (same id twice in this file with other content).
--
-- A snapshot row is merged into the stored customer, never blindly replacing it:
--   * first_seen keeps the earliest known value (events may have seen the customer first);
--   * an empty cell never erases a known value (email, phone, country, channel);
--   * attributes merge key by key: the snapshot overwrites the keys it holds (with a value),
--     keys it lacks (traits learned from identify calls) stay;
--   * consent flags are the snapshot's (the CRM is the record of consent).
-- Only a row whose merged result differs from the stored one counts as updated.
-- __firsts__: the valid rows with the first row of their key (first_rows.sql).
CREATE OR REPLACE TEMP TABLE __status__ AS
WITH merged AS (
    SELECT
        v._seq,
        v.customer_id,
        v.first_seq,
        v.content_hash,
        v.first_hash,
        e.customer_id IS NOT NULL AS stored,
        least(e.first_seen, v.first_seen) AS first_seen,
        coalesce(v.email, e.email) AS email,
        coalesce(v.phone, e.phone) AS phone,
        coalesce(v.country, e.country) AS country,
        coalesce(v.acquisition_channel, e.acquisition_channel) AS acquisition_channel,
        v.consent_email,
        v.consent_sms,
        v.consent_push,
        v.consent_mail,
        CASE
            WHEN e.customer_id IS NULL OR e.attributes IS NULL THEN v.attributes
            WHEN v.attributes IS NULL THEN e.attributes
            ELSE json_merge_patch(e.attributes, json_merge_patch('{}'::JSON, v.attributes))
        END AS attributes,
        (
            e.first_seen IS DISTINCT FROM least(e.first_seen, v.first_seen)
            OR e.email IS DISTINCT FROM coalesce(v.email, e.email)
            OR e.phone IS DISTINCT FROM coalesce(v.phone, e.phone)
            OR e.country IS DISTINCT FROM coalesce(v.country, e.country)
            OR e.acquisition_channel
                IS DISTINCT FROM coalesce(v.acquisition_channel, e.acquisition_channel)
            OR e.consent_email IS DISTINCT FROM v.consent_email
            OR e.consent_sms IS DISTINCT FROM v.consent_sms
            OR e.consent_push IS DISTINCT FROM v.consent_push
            OR e.consent_mail IS DISTINCT FROM v.consent_mail
        ) AS fields_changed,
        e.attributes::VARCHAR AS stored_attributes
    FROM __firsts__ AS v
    LEFT JOIN customers AS e ON e.customer_id = v.customer_id
)
SELECT
    _seq,
    CASE
        WHEN _seq <> first_seq AND content_hash = first_hash THEN 'duplicate'
        WHEN _seq <> first_seq THEN 'conflict'
        WHEN NOT stored THEN 'load'
        WHEN fields_changed OR stored_attributes IS DISTINCT FROM attributes::VARCHAR
            THEN 'update'
        ELSE 'duplicate'
    END AS status,
    customer_id, first_seen, email, phone, country, acquisition_channel, consent_email,
    consent_sms, consent_push, consent_mail, attributes
FROM merged;
