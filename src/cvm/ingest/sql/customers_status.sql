-- Classify valid customer rows: load (new), update (stored with other attributes: the file is
-- a snapshot), duplicate (same content), conflict (same id twice in this file, different).
CREATE OR REPLACE TEMP TABLE _cvm_cu_status AS
WITH v AS (
    SELECT
        _seq,
        customer_id,
        content_hash,
        min(_seq) OVER w AS first_seq,
        arg_min(content_hash, _seq) OVER w AS first_hash
    FROM _cvm_cu_rows
    WHERE reason IS NULL
    WINDOW w AS (PARTITION BY customer_id)
),
stored AS (
    SELECT
        customer_id,
        hash(first_seen, email, phone, country, acquisition_channel, consent_email, consent_sms,
            consent_push, consent_mail, attributes::VARCHAR) AS content_hash
    FROM customers
)
SELECT
    v._seq,
    CASE
        WHEN v._seq <> v.first_seq AND v.content_hash = v.first_hash THEN 'duplicate'
        WHEN v._seq <> v.first_seq THEN 'conflict'
        WHEN e.customer_id IS NULL THEN 'load'
        WHEN e.content_hash = v.content_hash THEN 'duplicate'
        ELSE 'update'
    END AS status
FROM v
LEFT JOIN stored AS e ON e.customer_id = v.customer_id;
