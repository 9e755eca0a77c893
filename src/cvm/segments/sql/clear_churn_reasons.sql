UPDATE customer_segments SET churn_reasons = NULL WHERE churn_risk IS NULL
