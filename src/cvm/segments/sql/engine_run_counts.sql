-- Customers per RFM segment, tier and lifecycle stage of a segment table on an engine
-- (__table__), and per rule segment of its members (__members__: customer_id, segment), in
-- one pass, as run_counts.sql and member_counts.sql count a stored run: kind, value ('(none)'
-- for a customer without one), n.
SELECT 'rfm' AS kind, coalesce(rfm_segment, '(none)') AS value, count(*) AS n
FROM __table__
GROUP BY coalesce(rfm_segment, '(none)')
UNION ALL
SELECT 'tier' AS kind, coalesce(tier, '(none)') AS value, count(*) AS n
FROM __table__
GROUP BY coalesce(tier, '(none)')
UNION ALL
SELECT 'lifecycle' AS kind, coalesce(lifecycle, '(none)') AS value, count(*) AS n
FROM __table__
GROUP BY coalesce(lifecycle, '(none)')
UNION ALL
SELECT 'rule' AS kind, segment AS value, count(*) AS n
FROM __members__
GROUP BY segment
