-- Imported outcome $outcome of every member of campaign $campaign_id (y NULL: blank).
SELECT a.customer_id, a.arm, r.value AS y
FROM assignments AS a
JOIN imported_outcomes AS r
  ON r.campaign_id = a.campaign_id AND r.customer_id = a.customer_id AND r.outcome = $outcome
WHERE a.campaign_id = $campaign_id
ORDER BY a.customer_id
