-- Repeat buyers of clv_summary whose repeat orders net to $0 or less (the spend model leaves
-- them out and scores them with its mean): the first five by id, each with the total count.
SELECT customer_id, count(*) OVER () AS total
FROM clv_summary
WHERE frequency > 0 AND monetary_value <= 0
ORDER BY customer_id
LIMIT 5
