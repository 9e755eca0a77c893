-- Contact policy per customer and channel as of a day: the first reason that forbids contact
-- (NULL: may be contacted). Mirrors the campaign builder's build-time policy (consent, address,
-- suppression, control groups and members of running campaigns, frequency caps) for every
-- channel at once. Inputs: decide_customers (customer_id), decide_suppressions (customer_id,
-- channel). Parameters: $as_of (TIMESTAMP), $cap_7, $cap_30.
CREATE OR REPLACE TEMP TABLE decide_policy AS
WITH channels(channel) AS (VALUES ('email'), ('sms'), ('push'), ('mail')),
running AS (
    SELECT campaign_id FROM campaigns
    WHERE status IN ('built', 'running')
      AND starts <= $as_of AND ends + to_days(coalesce(response_days, 0)) >= $as_of
),
in_running AS (
    SELECT a.customer_id, bool_or(a.arm = 'control') AS in_control
    FROM assignments a JOIN running r USING (campaign_id)
    GROUP BY a.customer_id
),
recent AS (
    SELECT customer_id,
           count(*) FILTER (WHERE ts >= $as_of - INTERVAL 7 DAY) AS last_7,
           count(*) AS last_30
    FROM contacts
    WHERE ts >= $as_of - INTERVAL 30 DAY AND ts < $as_of
    GROUP BY customer_id
)
SELECT d.customer_id, ch.channel,
    CASE
        WHEN c.customer_id IS NULL THEN 'no_customer_record'
        WHEN NOT CASE ch.channel WHEN 'email' THEN c.consent_email WHEN 'sms' THEN c.consent_sms
                                 WHEN 'push' THEN c.consent_push ELSE c.consent_mail END
            THEN 'no_consent'
        WHEN ch.channel = 'email' AND nullif(trim(c.email), '') IS NULL THEN 'no_email'
        WHEN ch.channel = 'sms' AND nullif(trim(c.phone), '') IS NULL THEN 'no_phone'
        WHEN EXISTS (SELECT 1 FROM decide_suppressions s WHERE s.customer_id = d.customer_id
                     AND (s.channel IS NULL OR s.channel = ch.channel)) THEN 'suppressed'
        WHEN o.in_control THEN 'control_in_running_campaign'
        WHEN o.customer_id IS NOT NULL THEN 'in_running_campaign'
        WHEN coalesce(r.last_7, 0) >= $cap_7 THEN 'frequency_cap_7d'
        WHEN coalesce(r.last_30, 0) >= $cap_30 THEN 'frequency_cap_30d'
    END AS reason
FROM decide_customers d
CROSS JOIN channels ch
LEFT JOIN customers c USING (customer_id)
LEFT JOIN in_running o USING (customer_id)
LEFT JOIN recent r USING (customer_id);
