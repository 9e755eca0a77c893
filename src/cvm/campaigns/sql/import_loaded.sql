-- Campaigns of the file that pass every check, in file order.
SELECT campaign_id FROM campaign_import WHERE reason IS NULL ORDER BY line
