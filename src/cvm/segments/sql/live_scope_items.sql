-- Order lines of the live scope: those of its customers' transactions (see live_scope.sql).
CREATE OR REPLACE TEMP VIEW order_items AS
SELECT *
FROM __source__
WHERE transaction_id IN (SELECT transaction_id FROM transactions)
