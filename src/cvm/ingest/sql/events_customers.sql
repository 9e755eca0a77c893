-- Customers seen by an events load: a row for each new one, the earliest sighting, and the
-- traits of all their identify calls (latest value per trait). Traits newer than the row's
-- updated_at overwrite it; older ones only fill what is unknown, so nothing known is erased and
-- the result does not depend on the order the files were loaded in.

-- name: seen
CREATE OR REPLACE TEMP TABLE _ev_seen AS
WITH touched AS (
    SELECT customer_id FROM events WHERE load_id = $load_id AND customer_id IS NOT NULL
    UNION
    SELECT customer_id FROM _id_resolved WHERE customer_id IS NOT NULL
)
SELECT
    customer_id,
    -- a createdAt trait counts when it is a real time: after the floor, not in the future
    min(least(ts, CASE WHEN type = 'identify'
        AND try_cast(properties ->> 'createdAt' AS TIMESTAMPTZ)::TIMESTAMP
            BETWEEN CAST($floor AS TIMESTAMP) AND $now
        THEN try_cast(properties ->> 'createdAt' AS TIMESTAMPTZ)::TIMESTAMP END)) AS first_seen
FROM events
WHERE customer_id IN (SELECT customer_id FROM touched)
GROUP BY customer_id;

-- name: insert_new
INSERT INTO customers (customer_id, first_seen, load_id)
SELECT s.customer_id, s.first_seen, $load_id
FROM _ev_seen AS s
WHERE NOT EXISTS (SELECT 1 FROM customers AS c WHERE c.customer_id = s.customer_id);

-- name: first_seen
UPDATE customers AS c
SET first_seen = s.first_seen
FROM _ev_seen AS s
WHERE c.customer_id = s.customer_id AND (c.first_seen IS NULL OR s.first_seen < c.first_seen);

-- name: traits
CREATE OR REPLACE TEMP TABLE _ev_traits AS
WITH ident AS (
    SELECT customer_id, ts, properties AS traits
    FROM events
    WHERE type = 'identify'
        AND customer_id IN (SELECT customer_id FROM _ev_seen)
        AND json_type(properties) = 'OBJECT'
),
flat AS (
    SELECT
        customer_id,
        ts,
        nullif(trim(traits ->> 'email'), '') AS email,
        nullif(trim(traits ->> 'phone'), '') AS phone,
        nullif(trim(coalesce(traits ->> 'country', traits -> 'address' ->> 'country')), '')
            AS country,
        try_cast(traits ->> 'consent_email' AS BOOLEAN) AS consent_email,
        try_cast(traits ->> 'consent_sms' AS BOOLEAN) AS consent_sms,
        try_cast(traits ->> 'consent_push' AS BOOLEAN) AS consent_push,
        try_cast(traits ->> 'consent_mail' AS BOOLEAN) AS consent_mail
    FROM ident
),
fields AS (
    SELECT
        customer_id,
        max(ts) AS ts,
        arg_max(email, ts) FILTER (WHERE email IS NOT NULL) AS email,
        arg_max(phone, ts) FILTER (WHERE phone IS NOT NULL) AS phone,
        arg_max(country, ts) FILTER (WHERE country IS NOT NULL) AS country,
        arg_max(consent_email, ts) FILTER (WHERE consent_email IS NOT NULL) AS consent_email,
        arg_max(consent_sms, ts) FILTER (WHERE consent_sms IS NOT NULL) AS consent_sms,
        arg_max(consent_push, ts) FILTER (WHERE consent_push IS NOT NULL) AS consent_push,
        arg_max(consent_mail, ts) FILTER (WHERE consent_mail IS NOT NULL) AS consent_mail
    FROM flat
    GROUP BY customer_id
),
other AS (
    -- every other trait, latest non-null value per key, as one JSON object
    SELECT customer_id, json_group_object(key, value) AS attrs
    FROM (
        SELECT i.customer_id, t.key, arg_max(t.value, i.ts) AS value
        FROM ident AS i, json_each(i.traits) AS t
        WHERE t.type <> 'NULL'
            AND t.key NOT IN ('email', 'phone', 'country', 'consent_email', 'consent_sms',
                'consent_push', 'consent_mail')
        GROUP BY i.customer_id, t.key
    )
    GROUP BY customer_id
)
SELECT f.*, o.attrs
FROM fields AS f
LEFT JOIN other AS o USING (customer_id);

-- name: traits_update
UPDATE customers AS c
SET
    email = CASE WHEN n.newer THEN coalesce(n.email, c.email) ELSE coalesce(c.email, n.email) END,
    phone = CASE WHEN n.newer THEN coalesce(n.phone, c.phone) ELSE coalesce(c.phone, n.phone) END,
    country = CASE WHEN n.newer THEN coalesce(n.country, c.country)
        ELSE coalesce(c.country, n.country) END,
    consent_email = CASE WHEN n.newer THEN coalesce(n.consent_email, c.consent_email)
        ELSE c.consent_email END,
    consent_sms = CASE WHEN n.newer THEN coalesce(n.consent_sms, c.consent_sms)
        ELSE c.consent_sms END,
    consent_push = CASE WHEN n.newer THEN coalesce(n.consent_push, c.consent_push)
        ELSE c.consent_push END,
    consent_mail = CASE WHEN n.newer THEN coalesce(n.consent_mail, c.consent_mail)
        ELSE c.consent_mail END,
    attributes = CASE
        WHEN n.attrs IS NULL THEN c.attributes
        WHEN c.attributes IS NULL THEN n.attrs
        WHEN n.newer THEN json_merge_patch(c.attributes, n.attrs)
        ELSE json_merge_patch(n.attrs, c.attributes)
    END,
    updated_at = greatest(c.updated_at, n.ts)
FROM (
    SELECT t.*, (c2.updated_at IS NULL OR t.ts >= c2.updated_at) AS newer
    FROM _ev_traits AS t
    JOIN customers AS c2 USING (customer_id)
) AS n
WHERE c.customer_id = n.customer_id;
