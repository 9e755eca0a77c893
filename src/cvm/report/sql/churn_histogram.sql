-- Churn risk of one segments run in ten bins of 0.1, with customers and CLV at stake.
SELECT
    CAST(least(floor(churn_risk * 10), 9) AS INTEGER) AS bin,
    count(*) AS customers,
    coalesce(sum(clv), 0) AS clv
FROM scores
WHERE run_id = $run_id AND churn_risk IS NOT NULL
GROUP BY 1
ORDER BY 1;
