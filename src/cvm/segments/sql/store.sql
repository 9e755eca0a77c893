-- Store a segments run from customer_segments (and churn_scored): scores rows and rule
-- memberships are added by runs.py. Parameters: $run_id, $cutoff.
INSERT INTO scores (run_id, customer_id, cutoff, frequency, recency, t, monetary,
                    expected_purchases, p_alive, clv, revenue, rfm, segment, tier, lifecycle,
                    churn_risk, churn_reasons)
SELECT $run_id, customer_id, $cutoff, frequency, recency, T, monetary_value,
       expected_purchases, p_alive, clv, revenue, rfm, rfm_segment, tier, lifecycle,
       churn_risk, churn_reasons
FROM customer_segments
