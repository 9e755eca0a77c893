-- Customers still in an offer's cooldown on $as_of: contacted (or assigned to a treatment arm)
-- in a campaign of that offer within its cooldown days. Input: decide_cooldowns (offer_id,
-- days). Parameter: $as_of (TIMESTAMP).
SELECT DISTINCT t.customer_id, k.offer_id
FROM (
    SELECT campaign_id, customer_id, ts FROM contacts
    UNION ALL
    SELECT campaign_id, customer_id, assigned_at AS ts FROM assignments WHERE arm <> 'control'
) AS t
JOIN campaigns AS c USING (campaign_id)
JOIN decide_cooldowns AS k ON k.offer_id = c.offer_id
WHERE t.ts <= $as_of AND t.ts > $as_of - to_days(k.days)
ORDER BY 1, 2;
