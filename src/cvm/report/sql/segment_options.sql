-- Every segment of one segments run as a filter choice "kind:name", with its size.
WITH base AS (SELECT * FROM scores WHERE run_id = $run_id)
SELECT kind || ':' || name AS choice, kind, name, customers FROM (
    SELECT 'rfm' AS kind, segment AS name, count(*) AS customers FROM base
    WHERE segment IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT 'tier', tier, count(*) FROM base WHERE tier IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT 'lifecycle', lifecycle, count(*) FROM base WHERE lifecycle IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT 'rule', segment, count(*) FROM segment_members WHERE run_id = $run_id GROUP BY ALL
)
ORDER BY CASE kind WHEN 'rfm' THEN 1 WHEN 'tier' THEN 2 WHEN 'lifecycle' THEN 3 ELSE 4 END,
         customers DESC, name;
