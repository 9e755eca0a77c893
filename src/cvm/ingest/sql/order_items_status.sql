-- Classify valid order lines on the key (transaction_id, line_no): load, duplicate, conflict.
-- __firsts__: the valid rows with the first row of their key (first_rows.sql).
CREATE OR REPLACE TEMP TABLE __status__ AS
SELECT
    v._seq,
    _cvm_insert_status(
        (e.content_hash IS NOT NULL AND e.content_hash = v.content_hash)
        -- lines stored before the hash was stable: the same values are the same line
        OR (e.product_id = v.product_id AND e.quantity = v.quantity AND e.amount = v.amount),
        e.transaction_id IS NOT NULL,
        v._seq = v.first_seq,
        v.content_hash = v.first_hash
    ) AS status
FROM __firsts__ AS v
LEFT JOIN order_items AS e ON e.transaction_id = v.transaction_id AND e.line_no = v.line_no;
