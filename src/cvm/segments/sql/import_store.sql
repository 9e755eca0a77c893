-- The kept profile rows of an imported segments run, as store.sql stores the workspace's own.
INSERT INTO scores (run_id, customer_id, cutoff, frequency, recency, t, monetary,
                    expected_purchases, p_alive, clv, revenue, rfm, segment, tier, lifecycle,
                    churn_risk, churn_reasons)
SELECT $run_id, customer_id, CAST($cutoff AS TIMESTAMP), frequency, recency, t, monetary,
       expected_purchases, p_alive, clv, revenue, rfm, segment, tier, lifecycle,
       churn_risk, churn_reasons
FROM import_checked
WHERE reason IS NULL
