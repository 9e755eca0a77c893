-- Every valid row is a new key (checked by the caller): insert them all without a join.
INSERT INTO transactions (
    transaction_id, customer_id, ts, amount, currency, channel, is_refund, refund_of,
    content_hash, load_id
)
SELECT
    transaction_id, customer_id, ts, amount, currency, channel, is_refund, refund_of,
    content_hash, $load_id
FROM __rows__
WHERE reason IS NULL;
