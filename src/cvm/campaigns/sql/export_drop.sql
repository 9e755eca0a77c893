-- The export's working tables.
DROP TABLE IF EXISTS campaign_export;
DROP TABLE IF EXISTS contact_policy;
DROP TABLE IF EXISTS campaign_treated;
