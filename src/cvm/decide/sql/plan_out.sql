-- A stored plan's rows (every customer and offer, chosen or why not) as written to Parquet.
SELECT d.* EXCLUDE (run_id), CAST($as_of AS DATE) AS as_of
FROM plan_decisions AS d
WHERE d.run_id = $run_id
ORDER BY d.customer_id, d.offer_id
