-- Audience members the contact policy leaves out, by reason, most frequent first.
SELECT reason, count(*)
FROM campaign_candidates
WHERE reason IS NOT NULL
GROUP BY reason
ORDER BY 2 DESC
