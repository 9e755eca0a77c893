-- Transition between two as-of segment snapshots (migration_from, migration_to: customer_id,
-- label, clv). Customers missing on one side appear as '(not yet)' / '(gone)'.
SELECT coalesce(f.label, '(not yet)') AS from_segment,
       coalesce(t.label, '(gone)') AS to_segment,
       count(*) AS customers,
       coalesce(sum(f.clv), 0) AS clv_from,
       coalesce(sum(t.clv), 0) AS clv_to
FROM migration_from AS f
FULL OUTER JOIN migration_to AS t USING (customer_id)
GROUP BY ALL
ORDER BY 1, 2
