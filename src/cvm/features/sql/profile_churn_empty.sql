-- No churn model run: the profile's churn_risk stays NULL.
CREATE OR REPLACE TEMP TABLE profile_churn (customer_id VARCHAR, churn_risk DOUBLE)
