-- Customer equity (the sum of CLV) of the CLV fitted in a KPI run on an engine (clv_scores),
-- with the columns kpi_equity.sql gives a stored CLV run ($model: the transaction model).
CREATE OR REPLACE TEMP TABLE kpi_equity AS
SELECT CAST($model AS VARCHAR) AS model,
       count(*) AS customers,
       sum(clv) AS customer_equity,
       avg(clv) AS mean_clv,
       median(clv) AS median_clv
FROM clv_scores
WHERE clv IS NOT NULL
