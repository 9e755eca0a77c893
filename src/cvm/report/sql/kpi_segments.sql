-- Size and value of each group in one run's column __column__ (segment or tier, a name the
-- caller has checked): customers, share, and the sums and means of CLV and revenue where the run has them.
SELECT
    CAST(__column__ AS VARCHAR) AS "group",
    count(*) AS customers,
    count(*) / sum(count(*)) OVER () AS share,
    sum(clv) AS clv,
    avg(clv) AS mean_clv,
    sum(revenue) AS revenue,
    avg(revenue) AS mean_revenue
FROM scores
WHERE run_id = $run_id AND __column__ IS NOT NULL
GROUP BY 1
ORDER BY customers DESC, 1;
