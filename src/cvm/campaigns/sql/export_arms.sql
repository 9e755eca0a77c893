-- Exported customers per arm.
SELECT arm, count(*) FROM campaign_export WHERE reason IS NULL GROUP BY arm
