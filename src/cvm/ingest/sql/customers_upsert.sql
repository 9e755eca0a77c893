-- Snapshot semantics: a new customer is added, a changed one replaced by its merged row
-- (customers_status.sql says how a snapshot row merges into the stored customer).
CREATE OR REPLACE TEMP TABLE __new__ AS
SELECT *
FROM __status__
WHERE status IN ('load', 'update');

DELETE FROM customers
WHERE customer_id IN (SELECT customer_id FROM __new__ WHERE status = 'update');

INSERT INTO customers (
    customer_id, first_seen, email, phone, country, acquisition_channel, consent_email,
    consent_sms, consent_push, consent_mail, attributes, updated_at, load_id
)
SELECT
    customer_id, first_seen, email, phone, country, acquisition_channel, consent_email,
    consent_sms, consent_push, consent_mail, attributes, now()::TIMESTAMP, $load_id
FROM __new__;
