-- 1 when $customer_id has a customer record or an order, else 0.
SELECT (EXISTS (SELECT 1 FROM customers WHERE customer_id = $customer_id)
        OR EXISTS (SELECT 1 FROM transactions WHERE customer_id = $customer_id))::INTEGER
