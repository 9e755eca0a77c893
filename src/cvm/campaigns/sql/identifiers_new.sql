-- Identifiers of new_identifiers not yet suppressed on $channel (NULL: every channel), by kind.
SELECT n.kind, count(*)
FROM new_identifiers AS n
WHERE NOT EXISTS (SELECT 1 FROM suppressed_identifiers AS s
                  WHERE s.kind = n.kind AND s.value = n.value
                    AND s.channel IS NOT DISTINCT FROM $channel)
GROUP BY n.kind
