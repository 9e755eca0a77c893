-- Treated customers the export leaves out, by reason, most frequent first.
SELECT reason, count(*)
FROM campaign_export
WHERE reason IS NOT NULL
GROUP BY reason
ORDER BY 2 DESC
