-- Repeat purchases per day offset after the cutoff (holdout.sql).
SELECT date_diff('day', CAST($cutoff AS DATE), day) AS day_offset, count(*) AS n
FROM holdout_periods
GROUP BY 1
