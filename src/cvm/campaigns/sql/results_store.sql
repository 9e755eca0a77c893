-- Store the valid rows of results_import: new customers, their arms and covariates.
INSERT INTO customers (customer_id, updated_at, load_id)
SELECT DISTINCT customer_id_, current_timestamp, $load_id
FROM results_import r
WHERE reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = r.customer_id_);
INSERT INTO assignments (campaign_id, customer_id, arm, stratum, assigned_at)
SELECT $campaign_id, customer_id_, arm_, NULL, $starts FROM results_import WHERE reason IS NULL;
INSERT INTO campaign_covariates (campaign_id, customer_id, features)
SELECT $campaign_id, customer_id_, features_ FROM results_import WHERE reason IS NULL;
