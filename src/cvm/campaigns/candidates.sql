-- Audience members with the first contact-policy reason that excludes them (NULL: eligible) and
-- their stratum. $1 campaign id, $2 channel, $3 starts, $4 end of the response window,
-- $5 cap over 7 days, $6 cap over 30 days, $7 stratify_by (NULL: none), $8 overlap policy.
CREATE OR REPLACE TEMP TABLE campaign_candidates AS
WITH running AS (
    SELECT campaign_id FROM campaigns
    WHERE campaign_id <> $1 AND status IN ('built', 'running')
      AND starts <= $4 AND ends + to_days(coalesce(response_days, 0)) >= $3
),
other_arms AS (
    SELECT a.customer_id, bool_or(a.arm = 'control') AS in_control
    FROM assignments a JOIN running r USING (campaign_id)
    GROUP BY a.customer_id
),
recent AS (
    SELECT customer_id,
           count(*) FILTER (WHERE ts >= $3 - INTERVAL 7 DAY) AS last_7,
           count(*) AS last_30
    FROM contacts
    WHERE ts >= $3 - INTERVAL 30 DAY AND ts < $3 AND campaign_id <> $1
    GROUP BY customer_id
),
tiers AS (
    SELECT customer_id, 'tier ' || ntile(4) OVER (ORDER BY clv DESC NULLS LAST) AS tier
    FROM scores
    WHERE $7 = 'value_tier' AND run_id = (
        SELECT run_id FROM model_runs WHERE kind = 'clv' ORDER BY created_at DESC LIMIT 1)
)
SELECT
    au.customer_id,
    CASE
        WHEN NOT CASE $2 WHEN 'email' THEN c.consent_email WHEN 'sms' THEN c.consent_sms
                         WHEN 'push' THEN c.consent_push ELSE c.consent_mail END
            THEN 'no_consent'
        WHEN $2 = 'email' AND nullif(trim(c.email), '') IS NULL THEN 'no_email'
        WHEN $2 = 'sms' AND nullif(trim(c.phone), '') IS NULL THEN 'no_phone'
        WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.customer_id = au.customer_id
                     AND (s.channel IS NULL OR s.channel = $2)) THEN 'suppressed'
        WHEN o.in_control THEN 'control_in_running_campaign'
        WHEN o.customer_id IS NOT NULL AND $8 <> 'allow' THEN 'in_running_campaign'
        WHEN coalesce(r.last_7, 0) >= $5 THEN 'frequency_cap_7d'
        WHEN coalesce(r.last_30, 0) >= $6 THEN 'frequency_cap_30d'
    END AS reason,
    CASE $7 WHEN 'value_tier' THEN coalesce(t.tier, 'unscored')
            WHEN 'acquisition_channel' THEN coalesce(c.acquisition_channel, 'unknown')
            WHEN 'country' THEN coalesce(c.country, 'unknown')
            ELSE 'all' END AS stratum
FROM campaign_audience_ids au
JOIN customers c USING (customer_id)
LEFT JOIN other_arms o USING (customer_id)
LEFT JOIN recent r USING (customer_id)
LEFT JOIN tiers t USING (customer_id);
