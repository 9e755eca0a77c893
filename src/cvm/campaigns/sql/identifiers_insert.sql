-- Suppress the identifiers of new_identifiers on $channel (NULL: every channel), for $reason,
-- leaving out those already suppressed there.
INSERT INTO suppressed_identifiers (kind, value, channel, reason)
SELECT n.kind, n.value, $channel, $reason
FROM new_identifiers AS n
WHERE NOT EXISTS (SELECT 1 FROM suppressed_identifiers AS s
                  WHERE s.kind = n.kind AND s.value = n.value
                    AND s.channel IS NOT DISTINCT FROM $channel)
