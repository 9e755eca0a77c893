-- The treated customers of campaign $campaign_id, to check against the policy at export.
CREATE OR REPLACE TEMP TABLE campaign_treated AS
SELECT customer_id FROM assignments WHERE campaign_id = $campaign_id AND arm <> 'control'
