-- Forget what an earlier measurement of campaign $campaign_id stored.
DELETE FROM response_priors WHERE campaign_id = $campaign_id
