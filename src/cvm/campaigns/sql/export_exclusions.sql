-- Who the latest export of campaign $campaign_id left out, and why (replacing the previous).
DELETE FROM campaign_exclusions WHERE campaign_id = $campaign_id AND stage = 'export';
INSERT INTO campaign_exclusions
SELECT $campaign_id, customer_id, 'export', reason FROM campaign_export WHERE reason IS NOT NULL;
