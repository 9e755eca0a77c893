-- The stored consent per channel of the given customers (one row each that has a record):
-- what real-time decisions honour for customers whose consent changed since the snapshot.
SELECT customer_id, consent_email, consent_sms, consent_push, consent_mail
FROM customers
WHERE customer_id IN (SELECT unnest($customer_ids))
