-- Snapshot semantics: a changed customer is replaced by the file's row, a new one added.
CREATE OR REPLACE TEMP TABLE _cvm_cu_new AS
SELECT t.*, s.status
FROM _cvm_cu_rows AS t
JOIN _cvm_cu_status AS s ON s._seq = t._seq
WHERE s.status IN ('load', 'update');

DELETE FROM customers
WHERE customer_id IN (SELECT customer_id FROM _cvm_cu_new WHERE status = 'update');

INSERT INTO customers (
    customer_id, first_seen, email, phone, country, acquisition_channel, consent_email,
    consent_sms, consent_push, consent_mail, attributes, updated_at, load_id
)
SELECT
    customer_id, first_seen, email, phone, country, acquisition_channel, consent_email,
    consent_sms, consent_push, consent_mail, attributes, now()::TIMESTAMP, $load_id
FROM _cvm_cu_new;
