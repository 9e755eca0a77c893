-- Move campaign $campaign_id to $status (draft, built, running, completed).
UPDATE campaigns SET status = $status WHERE campaign_id = $campaign_id
