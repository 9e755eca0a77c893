-- Customers suppressed on $channel (NULL: on every channel) today (suppressed.sql).
SELECT count(DISTINCT customer_id) FROM suppressed_customers
WHERE channel IS NOT DISTINCT FROM $channel
