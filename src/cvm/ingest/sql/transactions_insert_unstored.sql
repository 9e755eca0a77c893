-- Ids unique within the load: insert every valid row that is not already stored.
INSERT INTO transactions (
    transaction_id, customer_id, ts, amount, currency, channel, is_refund, refund_of,
    content_hash, load_id
)
SELECT
    t.transaction_id, t.customer_id, t.ts, t.amount, t.currency, t.channel, t.is_refund,
    t.refund_of, t.content_hash, $load_id
FROM __rows__ AS t
ANTI JOIN __status__ AS s ON s._seq = t._seq
WHERE t.reason IS NULL;
