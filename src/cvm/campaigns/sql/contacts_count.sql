-- Contacts recorded for campaign $campaign_id.
SELECT count(*) FROM contacts WHERE campaign_id = $campaign_id
