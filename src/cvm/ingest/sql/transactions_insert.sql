-- The new transactions of this load, in one statement: the first row of each key not stored.
INSERT INTO transactions (
    transaction_id, customer_id, ts, amount, currency, channel, is_refund, refund_of,
    content_hash, load_id
)
SELECT
    transaction_id, customer_id, ts, amount, currency, channel, is_refund, refund_of,
    content_hash, $load_id
FROM __rows__
WHERE reason IS NULL
    AND _seq IN (SELECT first_seq FROM __keys__ WHERE stored_hash IS NULL);
