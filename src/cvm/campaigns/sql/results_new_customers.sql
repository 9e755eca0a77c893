-- Kept result rows whose customer is not in the workspace yet.
SELECT count(*)
FROM results_import AS r
WHERE reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM customers AS c WHERE c.customer_id = r.customer_id_)
