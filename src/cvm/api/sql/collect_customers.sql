-- The customers one committed window touched: its events (an identify or alias also carries
-- the customer its earlier anonymous events now belong to) and the orders its
-- "Order Completed" made.
SELECT DISTINCT customer_id FROM (
    SELECT customer_id FROM events WHERE load_id = $load_id
    UNION ALL
    SELECT customer_id FROM transactions WHERE load_id = $load_id || '-orders'
)
WHERE customer_id IS NOT NULL;
