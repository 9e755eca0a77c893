-- The stored design of campaign $campaign_id.
SELECT campaign_id, name, offer_id, channel, audience, starts, ends, response_days,
       control_fraction, status, definition
FROM campaigns
WHERE campaign_id = $campaign_id
