-- Distinct (frequency, recency, T) histories with how many customers share each: all the
-- transaction models need, however many customers there are. Ordered, so that every engine
-- hands the optimiser the same rows in the same order.
SELECT frequency, recency, T, count(*) AS customers
FROM clv_summary
GROUP BY frequency, recency, T
ORDER BY frequency, recency, T
