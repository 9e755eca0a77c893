-- Members of campaign $campaign_id with an attributed outcome.
SELECT count(*) FROM campaign_outcomes WHERE campaign_id = $campaign_id
