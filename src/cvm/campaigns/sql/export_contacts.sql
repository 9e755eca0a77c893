-- One contact per exported customer not yet contacted in campaign $campaign_id, on $channel
-- at $contacted_at.
INSERT INTO contacts (campaign_id, customer_id, channel, ts)
SELECT $campaign_id, e.customer_id, $channel, $contacted_at
FROM campaign_export AS e
WHERE e.reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM contacts AS k
                  WHERE k.campaign_id = $campaign_id AND k.customer_id = e.customer_id)
