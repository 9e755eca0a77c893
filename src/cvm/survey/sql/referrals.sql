-- Referral events per customer: events whose name (case-insensitive) is in $names.
SELECT customer_id, count(*) AS referrals
FROM events
WHERE customer_id IS NOT NULL AND list_contains($names, lower(event))
GROUP BY customer_id;
