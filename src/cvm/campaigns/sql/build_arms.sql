-- Customers per stratum and arm of campaign $campaign_id.
SELECT coalesce(stratum, 'all'), arm, count(*)
FROM assignments
WHERE campaign_id = $campaign_id
GROUP BY ALL
ORDER BY ALL
