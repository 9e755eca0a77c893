-- How many customers a run scored.
SELECT count(*) FROM clv_scores
