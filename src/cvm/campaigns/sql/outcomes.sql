-- The attributed outcome of every member of campaign $campaign_id.
SELECT arm, stratum, contacted, converted, revenue, visits, window_end
FROM campaign_outcomes
WHERE campaign_id = $campaign_id
ORDER BY customer_id
