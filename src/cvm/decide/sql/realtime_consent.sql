-- The customer's consent for $channel as stored now (no row: no customer record).
SELECT CASE $channel WHEN 'email' THEN consent_email WHEN 'sms' THEN consent_sms
                     WHEN 'push' THEN consent_push ELSE consent_mail END
FROM customers
WHERE customer_id = $customer_id
LIMIT 1
