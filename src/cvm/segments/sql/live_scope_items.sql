-- Order lines of the live scope: those of its customers' transactions (see live_scope.sql), from the scope's transactions.
CREATE OR REPLACE TEMP TABLE order_items AS
SELECT *
FROM __source__
WHERE transaction_id IN (SELECT transaction_id FROM transactions)
