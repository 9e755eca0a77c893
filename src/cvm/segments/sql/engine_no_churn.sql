-- No churn model: no churn scores (the columns score_profile_churn keeps, no rows), so the
-- segment table's churn_risk and churn_reasons are NULL.
CREATE OR REPLACE TEMP TABLE churn_scores (
    customer_id VARCHAR, churn_risk DOUBLE, reason_1 VARCHAR, reason_2 VARCHAR, reason_3 VARCHAR
)
