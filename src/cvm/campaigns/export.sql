-- The treated customers of a campaign with the export-time check of the contact policy (consent
-- or suppression may have changed since the build). Controls are never selected.
-- $1 campaign id, $2 channel.
CREATE OR REPLACE TEMP TABLE campaign_export AS
SELECT
    a.customer_id,
    a.arm,
    c.email,
    c.phone,
    json_extract_string(c.attributes, '$.first_name') AS first_name,
    json_extract_string(c.attributes, '$.last_name') AS last_name,
    CASE
        WHEN c.customer_id IS NULL THEN 'unknown_customer'
        WHEN NOT CASE $2 WHEN 'email' THEN c.consent_email WHEN 'sms' THEN c.consent_sms
                         WHEN 'push' THEN c.consent_push ELSE c.consent_mail END
            THEN 'no_consent'
        WHEN $2 = 'email' AND nullif(trim(c.email), '') IS NULL THEN 'no_email'
        WHEN $2 = 'sms' AND nullif(trim(c.phone), '') IS NULL THEN 'no_phone'
        WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.customer_id = a.customer_id
                     AND (s.channel IS NULL OR s.channel = $2)) THEN 'suppressed'
    END AS reason
FROM assignments a
LEFT JOIN customers c USING (customer_id)
WHERE a.campaign_id = $1 AND a.arm <> 'control';
