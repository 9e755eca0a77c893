-- The audience of a campaign to every customer.
CREATE OR REPLACE TEMP TABLE campaign_audience_ids AS
SELECT customer_id FROM customers
