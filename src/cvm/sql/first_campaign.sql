-- The demo's past campaign: the first one imported.
SELECT min(campaign_id) FROM campaigns;
