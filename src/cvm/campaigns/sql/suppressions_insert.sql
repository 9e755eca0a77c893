-- Suppress the customers of new_suppressions on $channel (NULL: every channel), for $reason,
-- leaving out those already suppressed there.
INSERT INTO suppressions (customer_id, channel, reason)
SELECT DISTINCT n.customer_id, $channel, $reason
FROM new_suppressions AS n
WHERE NOT EXISTS (SELECT 1 FROM suppressions AS s WHERE s.customer_id = n.customer_id
                  AND s.channel IS NOT DISTINCT FROM $channel)
