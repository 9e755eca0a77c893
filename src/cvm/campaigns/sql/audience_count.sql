-- Customers in the audience being built.
SELECT count(*) FROM campaign_audience_ids
