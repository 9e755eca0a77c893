-- The customer record's model inputs for scoring: the customers known by the cutoff.
SELECT customer_id, acquisition_channel, country,
       CAST(consent_email AS DOUBLE) AS consent_email,
       CAST(consent_sms AS DOUBLE) AS consent_sms,
       CAST(consent_push AS DOUBLE) AS consent_push
FROM customers
WHERE first_seen IS NULL OR first_seen <= $cutoff
ORDER BY customer_id
