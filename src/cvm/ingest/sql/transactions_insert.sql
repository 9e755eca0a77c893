-- The new transactions of this load, in one statement. __chosen__: the rows to insert, one of
-- transactions_new_all.sql, transactions_new_keys.sql, transactions_new_unstored.sql.
INSERT INTO transactions (
    transaction_id, customer_id, ts, amount, currency, channel, is_refund, refund_of,
    content_hash, load_id
)
SELECT
    transaction_id, customer_id, ts, amount, currency, channel, is_refund, refund_of,
    content_hash, $load_id
FROM __chosen__;
