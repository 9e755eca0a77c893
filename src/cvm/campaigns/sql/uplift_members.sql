-- The customer record's model inputs for the members of a test (uplift_members: customer_id,
-- pos), in their order: every member with a customer row, whatever its first_seen.
SELECT c.customer_id, c.acquisition_channel, c.country,
       CAST(c.consent_email AS DOUBLE) AS consent_email,
       CAST(c.consent_sms AS DOUBLE) AS consent_sms,
       CAST(c.consent_push AS DOUBLE) AS consent_push
FROM uplift_members m
JOIN customers c ON c.customer_id = m.customer_id
ORDER BY m.pos
