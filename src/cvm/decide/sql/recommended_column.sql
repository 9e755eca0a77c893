-- Whether product __product__ (a bound $product_<k>) is among the customer's (s) top
-- recommendations (recommend.sql): one column of inputs.sql per offer that targets a product.
SELECT EXISTS (
    SELECT 1 FROM product_recommendations AS r
    WHERE r.customer_id = s.customer_id AND r.product_id = __product__
) AS recommended
