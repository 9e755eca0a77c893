-- The newest profile of each customer with more than one live row (a merge not yet refreshed).
WITH twice AS (
    SELECT customer_id FROM live_profiles GROUP BY customer_id HAVING count(*) > 1
)
SELECT p.customer_id, CAST(p.profile AS VARCHAR) AS profile
FROM live_profiles AS p
JOIN twice USING (customer_id)
QUALIFY row_number() OVER (PARTITION BY p.customer_id ORDER BY p.updated_at DESC) = 1
