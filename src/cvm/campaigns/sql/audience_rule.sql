-- The audience of a rule or rule segment, from the ids it selected (rule_audience).
CREATE OR REPLACE TEMP TABLE campaign_audience_ids AS
SELECT DISTINCT CAST(customer_id AS VARCHAR) AS customer_id FROM rule_audience
