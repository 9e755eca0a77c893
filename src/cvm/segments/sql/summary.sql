-- Size, revenue, CLV and churn risk of every segment of one segments run: RFM segments,
-- value tiers, lifecycle stages and rule segments. Parameter: $run_id.
WITH base AS (
    SELECT * FROM scores WHERE run_id = $run_id
),
labelled AS (
    SELECT 'rfm' AS kind, segment AS segment, * EXCLUDE (segment) FROM base WHERE segment IS NOT NULL
    UNION ALL BY NAME
    SELECT 'tier' AS kind, tier AS segment, * EXCLUDE (segment) FROM base WHERE tier IS NOT NULL
    UNION ALL BY NAME
    SELECT 'lifecycle' AS kind, lifecycle AS segment, * EXCLUDE (segment) FROM base
    UNION ALL BY NAME
    SELECT 'rule' AS kind, m.segment, b.* EXCLUDE (segment)
    FROM segment_members AS m JOIN base AS b USING (customer_id)
    WHERE m.run_id = $run_id
)
SELECT kind, segment,
       count(*) AS customers,
       count(*) / (SELECT count(*) FROM base) AS share,
       coalesce(sum(revenue), 0) AS revenue,
       sum(clv) AS clv, -- NULL, not 0, when no customer has a CLV (no CLV run)
       avg(clv) AS mean_clv,
       avg(p_alive) AS mean_p_alive,
       avg(churn_risk) AS mean_churn_risk
FROM labelled
GROUP BY kind, segment
ORDER BY CASE kind WHEN 'rfm' THEN 1 WHEN 'tier' THEN 2 WHEN 'lifecycle' THEN 3 ELSE 4 END,
         clv DESC
