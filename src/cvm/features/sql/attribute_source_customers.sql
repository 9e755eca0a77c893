-- The customer record's free-form attributes.
SELECT customer_id, attributes AS doc FROM customers
