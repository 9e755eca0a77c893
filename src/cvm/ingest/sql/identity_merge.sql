-- Merge customers: _id_merge_map(from_id, into_id) names every id that stops being a customer
-- and the survivor that takes its history. The repoint statement is run once per table that
-- holds a customer_id (the table name is a constant of identity.py).

-- name: log_chain
-- Merges recorded into an id that is merged now follow it to the new survivor.
UPDATE customer_merges AS c
SET into_customer_id = m.into_id
FROM _id_merge_map AS m
WHERE c.into_customer_id = m.from_id;

-- name: log_drop_self
DELETE FROM customer_merges WHERE from_customer_id = into_customer_id;

-- name: log_insert
INSERT INTO customer_merges (from_customer_id, into_customer_id, merged_at, reason, load_id)
SELECT from_id, into_id, $now, $reason, $load_id
FROM _id_merge_map
ORDER BY into_id, from_id;

-- name: customers_combined
-- One customers row per survivor: the survivor's known values first, then the merged ones'
-- (earliest first); consent flags from the row updated last; attributes patched oldest first.
CREATE OR REPLACE TEMP TABLE _id_customers_combined AS
WITH grp AS (
    SELECT c.*, coalesce(m.into_id, c.customer_id) AS survivor,
        (c.customer_id = coalesce(m.into_id, c.customer_id)) AS is_survivor
    FROM customers AS c
    LEFT JOIN _id_merge_map AS m ON m.from_id = c.customer_id
    WHERE c.customer_id IN (SELECT from_id FROM _id_merge_map)
        OR c.customer_id IN (SELECT into_id FROM _id_merge_map)
)
SELECT
    survivor AS customer_id,
    min(first_seen) AS first_seen,
    first(email ORDER BY is_survivor DESC, first_seen) FILTER (WHERE email IS NOT NULL) AS email,
    first(phone ORDER BY is_survivor DESC, first_seen) FILTER (WHERE phone IS NOT NULL) AS phone,
    first(country ORDER BY is_survivor DESC, first_seen)
        FILTER (WHERE country IS NOT NULL) AS country,
    first(acquisition_channel ORDER BY first_seen)
        FILTER (WHERE acquisition_channel IS NOT NULL) AS acquisition_channel,
    arg_max(consent_email, (coalesce(updated_at, TIMESTAMP '0001-01-01'), is_survivor))
        AS consent_email,
    arg_max(consent_sms, (coalesce(updated_at, TIMESTAMP '0001-01-01'), is_survivor))
        AS consent_sms,
    arg_max(consent_push, (coalesce(updated_at, TIMESTAMP '0001-01-01'), is_survivor))
        AS consent_push,
    arg_max(consent_mail, (coalesce(updated_at, TIMESTAMP '0001-01-01'), is_survivor))
        AS consent_mail,
    list(attributes ORDER BY is_survivor, first_seen DESC)
        FILTER (WHERE attributes IS NOT NULL) AS attribute_list,
    max(updated_at) AS updated_at,
    arg_max(load_id, is_survivor) AS load_id
FROM grp
GROUP BY survivor;

-- name: customers_delete
DELETE FROM customers
WHERE customer_id IN (SELECT from_id FROM _id_merge_map)
    OR customer_id IN (SELECT customer_id FROM _id_customers_combined);

-- name: customers_insert
INSERT INTO customers (
    customer_id, first_seen, email, phone, country, acquisition_channel, consent_email,
    consent_sms, consent_push, consent_mail, attributes, updated_at, load_id
)
SELECT
    customer_id, first_seen, email, phone, country, acquisition_channel,
    coalesce(consent_email, FALSE), coalesce(consent_sms, FALSE), coalesce(consent_push, FALSE),
    coalesce(consent_mail, FALSE),
    CASE WHEN len(attribute_list) > 0
        THEN list_reduce(attribute_list, lambda acc, x: json_merge_patch(acc, x)) END,
    updated_at, load_id
FROM _id_customers_combined;

-- name: assignments_dedupe
-- Two merged customers in one campaign keep the earlier assignment.
DELETE FROM assignments AS a
WHERE a.customer_id IN (SELECT into_id FROM _id_merge_map) AND EXISTS (
    SELECT 1 FROM assignments AS b
    WHERE b.campaign_id = a.campaign_id AND b.customer_id = a.customer_id
        AND (b.assigned_at, b.arm) < (a.assigned_at, a.arm)
);
