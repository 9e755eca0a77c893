-- A response reported for decision $decision_id: the outcome, and when it is a purchase
-- ($transaction_id not NULL) the order, unless an order of that id is already stored (the
-- shop's own feed may have sent it).
INSERT INTO decision_outcomes (decision_id, customer_id, ts, converted, revenue, transaction_id)
VALUES ($decision_id, $customer_id, $ts, $converted, $revenue, $transaction_id);

INSERT INTO transactions (transaction_id, customer_id, ts, amount, channel, is_refund)
SELECT $transaction_id, $customer_id, $ts, $revenue, $channel, FALSE
WHERE $transaction_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM transactions WHERE transaction_id = $transaction_id);
