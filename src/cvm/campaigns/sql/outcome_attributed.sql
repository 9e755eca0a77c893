-- An attributed outcome (the column __outcome__ of campaign_outcomes) of every member of
-- campaign $campaign_id.
SELECT customer_id, arm, CAST(__outcome__ AS DOUBLE) AS y
FROM campaign_outcomes
WHERE campaign_id = $campaign_id
ORDER BY customer_id
