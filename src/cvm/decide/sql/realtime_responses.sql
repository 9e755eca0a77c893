-- Per offer of the real-time campaigns (audience kind 'realtime') and arm: the customers whose
-- response is known on $now, and those who responded. A response is a purchase (not a refund)
-- from the assignment to the end of the campaign's response window; a customer counts once
-- they responded or their window closed (one still open is not yet a non-response). The Beta
-- posteriors of exploration count these.
WITH members AS (
    SELECT c.offer_id, a.arm, a.customer_id, a.assigned_at,
           a.assigned_at + to_days(c.response_days) AS window_end
    FROM assignments AS a
    JOIN campaigns AS c USING (campaign_id)
    WHERE CASE WHEN json_valid(c.audience) THEN json_extract_string(c.audience, '$.kind') END = 'realtime'
      AND c.offer_id IS NOT NULL  -- an imported campaign's audience may be plain text
),
responded AS (
    SELECT DISTINCT m.offer_id, m.customer_id
    FROM members AS m
    JOIN transactions AS t
      ON t.customer_id = m.customer_id AND NOT t.is_refund
     AND t.ts >= m.assigned_at AND t.ts < m.window_end
)
SELECT m.offer_id, m.arm = 'control' AS control, count(*) AS customers,
       count(r.customer_id) AS responders
FROM members AS m
LEFT JOIN responded AS r USING (offer_id, customer_id)
WHERE r.customer_id IS NOT NULL OR m.window_end <= $now
GROUP BY ALL
ORDER BY 1, 2
