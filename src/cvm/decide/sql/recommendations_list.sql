-- Each customer's recommended products (recommend.sql), best first.
SELECT * FROM product_recommendations ORDER BY customer_id, rank
