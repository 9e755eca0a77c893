INSERT INTO order_items (
    transaction_id, line_no, product_id, category, quantity, amount, content_hash, load_id
)
SELECT
    t.transaction_id, t.line_no, t.product_id, t.category, t.quantity, t.amount,
    t.content_hash, $load_id
FROM __rows__ AS t
JOIN __status__ AS s ON s._seq = t._seq
WHERE s.status = 'load';
