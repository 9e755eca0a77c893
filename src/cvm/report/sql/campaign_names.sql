-- Every campaign's name by id.
SELECT campaign_id, name FROM campaigns;
