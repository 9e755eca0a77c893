-- Which rows of a table are about the customer of a privacy request, once _pv_identifiers and
-- _pv_respondents are filled (subject.sql). One condition per table; every table with a
-- customer_id column not named here uses "default". $quoting: a regular expression matching
-- the customer's identifiers where raw text quotes them; $orders_quoting: the same for order
-- ids (NULL when the customer has no orders).

-- name: default
customer_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person');

-- name: events
customer_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person')
OR user_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person')
OR anonymous_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person')
OR previous_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person');

-- name: identities
customer_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person')
OR source_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person');

-- name: identity_links
group_key IN (
    SELECT group_key FROM identity_links
    WHERE source_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person')
);

-- name: customer_merges
from_customer_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person')
OR into_customer_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person');

-- name: transactions
customer_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person')
OR transaction_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'order');

-- name: order_items
transaction_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'order');

-- name: survey_responses
customer_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person')
OR respondent_id IN (SELECT value FROM _pv_identifiers WHERE kind = 'person')
OR EXISTS (
    SELECT 1 FROM _pv_respondents AS r
    WHERE r.respondent_id = survey_responses.respondent_id
        AND r.survey_id IS NOT DISTINCT FROM survey_responses.survey_id
);

-- name: rejected_rows
regexp_matches(coalesce(raw, '') || chr(10) || coalesce(reason, ''), $quoting)
OR (kind IN ('transactions', 'order_items') AND regexp_matches(coalesce(raw, ''), $orders_quoting));
