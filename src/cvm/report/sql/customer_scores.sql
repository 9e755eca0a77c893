-- The customer's row in the newest run of each kind that scored them: $customer_id.
SELECT r.kind, r.model, s.*
FROM scores AS s
JOIN model_runs AS r USING (run_id)
WHERE s.customer_id = $customer_id
QUALIFY row_number() OVER (PARTITION BY r.kind ORDER BY r.cutoff DESC, r.created_at DESC) = 1
ORDER BY r.kind;
