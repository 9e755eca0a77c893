-- Per-customer inputs of the value model from the segment table, with the expected spend of
-- the CLV run the profile used when there is one (else the customer's mean order value).
-- __offer_columns__ are the catalog's recommended-product columns (recommended_column.sql, one
-- per offer that targets a product; none when no offer does). Parameters: $clv_run (NULL:
-- none), and $product_<k> per offer that targets a recommended product.
SELECT s.customer_id, s.is_prospect, s.p_alive, s.expected_purchases, s.clv,
       coalesce(nullif(v.expected_spend, 'NaN'::DOUBLE), nullif(s.monetary_value, 0),
                s.avg_order_value) AS order_value,
       s.country, s.acquisition_channel, s.rfm_segment, s.lifecycle,
       __offer_columns__
FROM customer_segments AS s
LEFT JOIN (SELECT customer_id, expected_spend FROM scores WHERE run_id = $clv_run) AS v
    USING (customer_id)
ORDER BY s.customer_id
