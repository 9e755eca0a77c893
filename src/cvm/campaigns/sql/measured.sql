-- Campaigns whose outcomes a measurement stored.
SELECT DISTINCT campaign_id FROM campaign_outcomes ORDER BY 1
