-- Suppression by any identifier a person shows: an e-mail or a phone (kept only as the SHA-256
-- of its normalised form, so a list of unsubscribes holds no address), or an id (a customer id
-- or any source id of the identities table: a CRM id, a shop customer number). Matching is at
-- contact time, so an address suppressed before its customer is loaded is still never
-- contacted. channel NULL = every channel.

-- key: (kind, value, channel)
CREATE TABLE IF NOT EXISTS suppressed_identifiers (
    kind     VARCHAR NOT NULL,                -- email, phone (value = SHA-256 hex) or id
    value    VARCHAR NOT NULL,
    channel  VARCHAR,
    reason   VARCHAR,
    added_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
