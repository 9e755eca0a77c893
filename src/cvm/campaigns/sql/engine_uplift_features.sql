-- Uplift features of every customer of customer_profile (prospects included, with zeros and
-- has_history = 0), and the customer record's attributes as JSON text for the encoder.
SELECT customer_id,
       CAST(frequency AS DOUBLE) AS frequency,
       CAST(recency AS DOUBLE) AS recency,
       CAST(T AS DOUBLE) AS T,
       CAST(monetary_value AS DOUBLE) AS monetary_value,
       CASE WHEN is_prospect THEN 0 ELSE 1 END AS has_history,
       CAST(consent_email AS INTEGER) AS consent_email,
       CAST(consent_sms AS INTEGER) AS consent_sms,
       CAST(consent_push AS INTEGER) AS consent_push,
       CAST(consent_mail AS INTEGER) AS consent_mail,
       CAST(attributes AS VARCHAR) AS attributes
FROM customer_profile
ORDER BY customer_id
