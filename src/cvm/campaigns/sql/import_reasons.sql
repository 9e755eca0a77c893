-- The first reasons campaigns of the file were refused.
SELECT DISTINCT reason FROM campaign_import ORDER BY 1 LIMIT 3
