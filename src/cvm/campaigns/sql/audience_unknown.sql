-- Customer ids of a new campaign's audience list (new_audience) unknown to the workspace.
SELECT DISTINCT a.customer_id
FROM new_audience AS a
ANTI JOIN customers AS c USING (customer_id)
ORDER BY 1
LIMIT 6
