-- The build's working tables.
DROP TABLE IF EXISTS campaign_candidates;
DROP TABLE IF EXISTS contact_policy;
DROP TABLE IF EXISTS campaign_audience_ids;
DROP TABLE IF EXISTS campaign_arm_cuts;
