-- P(alive) of the buyers in the current profile: the churn model's baseline.
SELECT customer_id, p_alive
FROM customer_profile
WHERE NOT is_prospect
ORDER BY customer_id
