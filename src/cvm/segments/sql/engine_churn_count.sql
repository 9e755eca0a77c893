-- How many customers a churn run scored.
SELECT count(*) FROM churn_scores
