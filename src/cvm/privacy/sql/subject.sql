-- Whom a privacy request is about: the customer an identifier names, and every identifier and
-- order of that customer. $id: the identifier as given; $lower: lower-cased; $digits: its
-- digits when it is written like a phone number, else NULL; $cid: the customer.

-- name: candidates
-- Customers the identifier names other than as a customer id: a merged-away id (its
-- survivor), any id of the identity graph (e-mail, anonymous id, CRM id, alias), a customer's
-- e-mail or phone, or an event's user, anonymous or alias id.
SELECT DISTINCT customer_id
FROM (
    SELECT into_customer_id AS customer_id FROM customer_merges WHERE from_customer_id = $id
    UNION ALL
    SELECT customer_id FROM identities WHERE source_id = $id OR source_id = $lower
    UNION ALL
    SELECT customer_id FROM customers WHERE lower(trim(email)) = $lower
    UNION ALL
    SELECT customer_id FROM customers
    WHERE $digits IS NOT NULL AND regexp_replace(phone, '[^0-9]', '', 'g') = $digits
    UNION ALL
    SELECT customer_id FROM events
    WHERE user_id = $id OR anonymous_id = $id OR previous_id = $id
)
WHERE customer_id IS NOT NULL
ORDER BY customer_id;

-- name: identifiers
-- Every identifier of the customer (kind 'person'): the id, ids merged into it, the identity
-- graph's ids, the e-mail and phone on file, the ids its events carry and the e-mail and phone
-- of its own identify traits. is_phone marks phone numbers (matched however they are spaced).
CREATE OR REPLACE TEMP TABLE _pv_identifiers AS
WITH own AS (
    SELECT type, user_id, anonymous_id, previous_id, properties, context
    FROM events
    WHERE customer_id = $cid
),
found AS (
    SELECT $cid AS value, FALSE AS is_phone
    UNION ALL
    SELECT from_customer_id, FALSE FROM customer_merges WHERE into_customer_id = $cid
    UNION ALL
    SELECT source_id, source = 'phone' FROM identities WHERE customer_id = $cid
    UNION ALL
    SELECT email, FALSE FROM customers WHERE customer_id = $cid
    UNION ALL
    SELECT phone, TRUE FROM customers WHERE customer_id = $cid
    UNION ALL
    SELECT unnest([user_id, anonymous_id, previous_id]), FALSE FROM own
    UNION ALL
    SELECT unnest([
        CASE WHEN type = 'identify' THEN properties ->> 'email' END,
        context -> 'traits' ->> 'email'
    ]), FALSE
    FROM own
    UNION ALL
    SELECT unnest([
        CASE WHEN type = 'identify' THEN properties ->> 'phone' END,
        context -> 'traits' ->> 'phone'
    ]), TRUE
    FROM own
)
SELECT trim(value) AS value, 'person' AS kind, bool_or(is_phone) AS is_phone
FROM found
WHERE value IS NOT NULL AND trim(value) <> ''
GROUP BY trim(value);

-- name: identifiers_linked
-- Ids that identity_links groups with one of them (a person not yet tied to a customer id).
INSERT INTO _pv_identifiers
SELECT DISTINCT l.source_id, 'person', FALSE
FROM identity_links AS l
WHERE l.group_key IN (
        SELECT group_key FROM identity_links
        WHERE source_id IN (SELECT value FROM _pv_identifiers)
    )
    AND l.source_id NOT IN (SELECT value FROM _pv_identifiers);

-- name: identifiers_lower
-- E-mail addresses are compared lower-cased (as identities store them).
INSERT INTO _pv_identifiers
SELECT DISTINCT lower(value), 'person', FALSE
FROM _pv_identifiers
WHERE contains(value, '@') AND lower(value) NOT IN (SELECT value FROM _pv_identifiers);

-- name: orders
-- The customer's orders (kind 'order'): their lines carry no customer id.
INSERT INTO _pv_identifiers
SELECT DISTINCT transaction_id, 'order', FALSE
FROM transactions
WHERE customer_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person');

-- name: respondents
-- The customer's survey respondent ids: answers of the same respondent in the same survey
-- without a customer id are the customer's too.
CREATE OR REPLACE TEMP TABLE _pv_respondents AS
SELECT DISTINCT respondent_id, survey_id
FROM survey_responses
WHERE customer_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person');
