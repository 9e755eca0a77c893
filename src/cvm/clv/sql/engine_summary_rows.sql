-- The summary rows to score, in a stable order.
SELECT customer_id, frequency, recency, T, monetary_value FROM clv_summary
