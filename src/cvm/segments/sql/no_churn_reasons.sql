-- A segment table without a churn model still has the churn_reasons column scores stores.
ALTER TABLE customer_segments ADD COLUMN IF NOT EXISTS churn_reasons VARCHAR[]
