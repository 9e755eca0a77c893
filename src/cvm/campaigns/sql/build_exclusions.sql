-- Keep who the build left out of campaign $campaign_id, and why.
INSERT INTO campaign_exclusions
SELECT $campaign_id, customer_id, 'build', reason
FROM campaign_candidates
WHERE reason IS NOT NULL
