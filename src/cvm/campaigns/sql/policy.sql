-- The contact policy: for every candidate customer and channel, the first rule that forbids
-- contact (NULL: the customer may be contacted on that channel). Rules, in order: a customer
-- record, consent for the channel, an address for it, suppression lists (on the channel or on
-- every channel), then, when $history, the arms of running campaigns (a control group is never
-- contacted; a treated customer only under overlap 'allow') and the frequency caps.
-- Input: policy_candidates (customer_id), suppressed_customers (suppressed.sql).
-- Parameters: $channels (VARCHAR[]), $period_start and
-- $period_end (TIMESTAMP: when contact would happen; campaigns running at any time in it count),
-- $campaign_id (the campaign being built, left out of running campaigns and of the contact
-- history; NULL: none), $overlap ('exclude', 'error' or 'allow'), $history (BOOLEAN), $cap_7 and
-- $cap_30 (contacts allowed over the 7 and 30 days before $period_start).
CREATE OR REPLACE TEMP TABLE contact_policy AS
WITH channels AS (
    SELECT DISTINCT unnest($channels::VARCHAR[]) AS channel
),
running AS (
    SELECT campaign_id FROM campaigns
    WHERE $history AND campaign_id IS DISTINCT FROM $campaign_id
      AND status IN ('built', 'running')
      AND starts <= $period_end
      AND ends + to_days(coalesce(response_days, 0)) >= $period_start
),
in_running AS (
    SELECT a.customer_id, bool_or(a.arm = 'control') AS in_control
    FROM assignments a JOIN running r USING (campaign_id)
    GROUP BY a.customer_id
),
recent AS (
    SELECT customer_id,
           count(*) FILTER (WHERE ts >= $period_start - INTERVAL 7 DAY) AS last_7,
           count(*) AS last_30
    FROM contacts
    WHERE $history AND campaign_id IS DISTINCT FROM $campaign_id
      AND ts >= $period_start - INTERVAL 30 DAY AND ts < $period_start
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
        WHEN EXISTS (SELECT 1 FROM suppressed_customers s WHERE s.customer_id = d.customer_id
                     AND (s.channel IS NULL OR s.channel = ch.channel)) THEN 'suppressed'
        WHEN o.in_control THEN 'control_in_running_campaign'
        WHEN o.customer_id IS NOT NULL AND $overlap <> 'allow' THEN 'in_running_campaign'
        WHEN coalesce(r.last_7, 0) >= $cap_7 THEN 'frequency_cap_7d'
        WHEN coalesce(r.last_30, 0) >= $cap_30 THEN 'frequency_cap_30d'
    END AS reason
FROM (SELECT DISTINCT customer_id FROM policy_candidates) d
CROSS JOIN channels ch
LEFT JOIN customers c USING (customer_id)
LEFT JOIN in_running o USING (customer_id)
LEFT JOIN recent r USING (customer_id);
