-- Audience members with the contact policy's reason for leaving them out (NULL: eligible) and
-- their stratum. Needs contact_policy for the campaign's channel. $stratify_by (NULL: none).
CREATE OR REPLACE TEMP TABLE campaign_candidates AS
WITH segment_tiers AS (
    -- value tiers of the newest segments run (Platinum, Gold, ...) when there is one
    SELECT customer_id, tier
    FROM scores
    WHERE $stratify_by = 'value_tier' AND tier IS NOT NULL AND run_id = (
        SELECT run_id FROM model_runs WHERE kind = 'segments'
        ORDER BY created_at DESC, run_id DESC LIMIT 1)
),
clv_tiers AS (
    -- otherwise CLV quartiles of the newest CLV run
    SELECT customer_id, 'tier ' || ntile(4) OVER (ORDER BY clv DESC NULLS LAST) AS tier
    FROM scores
    WHERE $stratify_by = 'value_tier' AND NOT EXISTS (SELECT 1 FROM segment_tiers) AND run_id = (
        SELECT run_id FROM model_runs WHERE kind = 'clv' ORDER BY created_at DESC LIMIT 1)
),
tiers AS (
    SELECT * FROM segment_tiers
    UNION ALL
    SELECT * FROM clv_tiers
)
SELECT
    p.customer_id,
    p.reason,
    CASE $stratify_by WHEN 'value_tier' THEN coalesce(t.tier, 'unscored')
            WHEN 'acquisition_channel' THEN coalesce(c.acquisition_channel, 'unknown')
            WHEN 'country' THEN coalesce(c.country, 'unknown')
            ELSE 'all' END AS stratum
FROM contact_policy p
LEFT JOIN customers c USING (customer_id)
LEFT JOIN tiers t USING (customer_id);
