-- Churn risk of the profile from the newest segments run at $as_of (NULL risk left out).
CREATE OR REPLACE TEMP TABLE profile_churn AS
SELECT customer_id, churn_risk
FROM scores
WHERE run_id = (
    SELECT r.run_id
    FROM model_runs AS r
    WHERE r.kind = 'segments' AND CAST(r.cutoff AS DATE) = $as_of
    ORDER BY r.created_at DESC, r.run_id DESC
    LIMIT 1
)
  AND churn_risk IS NOT NULL
