-- Labelled training rows by class: how many churned and how many stayed.
SELECT l.churned, count(*) AS n
FROM churn_rows AS f
JOIN churn_labelled AS l ON l.customer_id = f.customer_id
GROUP BY l.churned
