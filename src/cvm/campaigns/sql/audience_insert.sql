-- Store a campaign's explicit audience list (new_audience). Parameter: $campaign_id.
INSERT INTO campaign_audiences
SELECT DISTINCT $campaign_id, customer_id FROM new_audience
