-- Customers and CLV per (value tier, RFM segment) of one segments run, for the treemap.
SELECT
    coalesce(tier, '(no tier)') AS tier,
    coalesce(segment, '(no segment)') AS segment,
    count(*) AS customers,
    coalesce(sum(clv), 0) AS clv,
    avg(clv) AS mean_clv
FROM scores
WHERE run_id = $run_id
GROUP BY ALL
ORDER BY clv DESC;
