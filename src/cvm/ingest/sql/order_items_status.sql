-- Classify valid order lines on the key (transaction_id, line_no): load, duplicate, conflict.
CREATE OR REPLACE TEMP TABLE __status__ AS
WITH v AS (
    SELECT
        _seq,
        transaction_id,
        line_no,
        content_hash,
        product_id,
        quantity,
        amount,
        min(_seq) OVER w AS first_seq,
        arg_min(content_hash, _seq) OVER w AS first_hash
    FROM __rows__
    WHERE reason IS NULL
    WINDOW w AS (PARTITION BY transaction_id, line_no)
)
SELECT
    v._seq,
    CASE
        WHEN e.content_hash IS NOT NULL AND e.content_hash = v.content_hash THEN 'duplicate'
        -- lines stored before the hash was stable: the same values are the same line
        WHEN e.product_id = v.product_id AND e.quantity = v.quantity AND e.amount = v.amount
            THEN 'duplicate'
        WHEN e.transaction_id IS NOT NULL THEN 'conflict'
        WHEN v._seq = v.first_seq THEN 'load'
        WHEN v.content_hash = v.first_hash THEN 'duplicate'
        ELSE 'conflict'
    END AS status
FROM v
LEFT JOIN order_items AS e ON e.transaction_id = v.transaction_id AND e.line_no = v.line_no;
