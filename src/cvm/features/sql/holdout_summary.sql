-- Repeat purchase periods and their mean value per customer after the cutoff (holdout.sql).
SELECT customer_id,
       CAST(count(*) AS DOUBLE) AS frequency_holdout,
       avg(value) AS monetary_value_holdout
FROM holdout_periods
GROUP BY customer_id
