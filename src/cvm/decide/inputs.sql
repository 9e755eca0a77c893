-- Per-customer inputs of the value model from the segment table, with the expected spend of
-- the CLV run the profile used when there is one (else the customer's mean order value).
-- The eligibility and context columns are generated from the offer catalog (checked rules)
-- into /*OFFER_COLUMNS*/. Parameters: $clv_run (NULL: none), and $product_<k> per offer
-- that targets a recommended product.
SELECT s.customer_id, s.is_prospect, s.p_alive, s.expected_purchases, s.clv,
       coalesce(nullif(v.expected_spend, 'NaN'::DOUBLE), nullif(s.monetary_value, 0),
                s.avg_order_value) AS order_value,
       s.country, s.acquisition_channel, s.rfm_segment, s.lifecycle
       /*OFFER_COLUMNS*/
FROM customer_segments AS s
LEFT JOIN (SELECT customer_id, expected_spend FROM scores WHERE run_id = $clv_run) AS v
    USING (customer_id)
ORDER BY s.customer_id
