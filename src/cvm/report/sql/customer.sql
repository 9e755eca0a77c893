-- One customer's CRM record and purchase summary up to today: $customer_id.
SELECT
    c.customer_id, c.first_seen, c.country, c.acquisition_channel,
    c.consent_email, c.consent_sms, c.consent_push, c.consent_mail,
    c.attributes,
    t.orders, t.refunds, t.revenue, t.first_purchase, t.last_purchase
FROM (SELECT $customer_id AS customer_id) AS k
LEFT JOIN customers AS c USING (customer_id)
LEFT JOIN (
    SELECT customer_id,
           count(*) FILTER (WHERE NOT is_refund AND amount > 0) AS orders,
           count(*) FILTER (WHERE is_refund OR amount < 0) AS refunds,
           sum(amount) AS revenue,
           min(ts) FILTER (WHERE NOT is_refund AND amount > 0) AS first_purchase,
           max(ts) FILTER (WHERE NOT is_refund AND amount > 0) AS last_purchase
    FROM transactions WHERE customer_id = $customer_id GROUP BY customer_id
) AS t USING (customer_id)
WHERE c.customer_id IS NOT NULL OR t.customer_id IS NOT NULL;
