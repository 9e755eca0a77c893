-- The audience of a campaign built from an explicit list. Parameter: $campaign_id.
CREATE OR REPLACE TEMP TABLE campaign_audience_ids AS
SELECT DISTINCT customer_id FROM campaign_audiences WHERE campaign_id = $campaign_id
