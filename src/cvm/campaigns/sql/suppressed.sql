-- Customers suppressed, per channel (NULL: every channel): by customer id (suppressions), and
-- by identifier (suppressed_identifiers) matched against the customer's e-mail and phone as
-- hashed here (SHA-256 of the trimmed lower-case e-mail; of the phone's digits) and against
-- every id of the identities table.
CREATE OR REPLACE TEMP TABLE suppressed_customers AS
WITH ids AS (
    SELECT customer_id, 'email' AS kind, sha256(lower(trim(email))) AS value
    FROM customers WHERE nullif(trim(email), '') IS NOT NULL
    UNION ALL
    SELECT customer_id, 'phone', sha256(regexp_replace(phone, '[^0-9]', '', 'g'))
    FROM customers WHERE length(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) > 0
    UNION ALL
    SELECT customer_id, 'id', customer_id FROM customers
    UNION ALL
    SELECT customer_id, 'id', source_id FROM identities
    UNION ALL
    SELECT customer_id, 'email', sha256(lower(trim(source_id)))
    FROM identities WHERE source = 'email'
)
SELECT DISTINCT customer_id, channel FROM suppressions
UNION
SELECT DISTINCT i.customer_id, x.channel
FROM suppressed_identifiers AS x
JOIN ids AS i ON i.kind = x.kind AND i.value = x.value;
