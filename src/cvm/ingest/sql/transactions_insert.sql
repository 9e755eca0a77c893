-- The new transactions of this load, in one statement.
INSERT INTO transactions (
    transaction_id, customer_id, ts, amount, currency, channel, is_refund, refund_of,
    content_hash, load_id
)
SELECT
    t.transaction_id, t.customer_id, t.ts, t.amount, t.currency, t.channel, t.is_refund,
    t.refund_of, t.content_hash, $load_id
FROM _cvm_tx_rows AS t
JOIN _cvm_tx_keys AS k ON k.first_seq = t._seq
WHERE k.stored_hash IS NULL;
