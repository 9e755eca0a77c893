-- The service's keys and its audit trail. A key is stored as the SHA-256 of its text only: the
-- key itself is shown once, when it is made. A revoked key stays listed (revoked_at set).
-- key: name
CREATE TABLE IF NOT EXISTS api_keys (
    name          VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,            -- admin, analyst, writer, decider
    key_hash      VARCHAR NOT NULL,            -- sha256 hex of the key
    created_at    TIMESTAMP NOT NULL,          -- UTC
    last_used_at  TIMESTAMP,                   -- UTC, updated at most once a minute
    revoked_at    TIMESTAMP                    -- UTC; NULL while the key works
);

-- One row per privileged call (key management, erasure, jobs) and per refused call to a
-- privileged route. It never holds a customer id: the action is the route's template.
CREATE TABLE IF NOT EXISTS audit_log (
    ts       TIMESTAMP NOT NULL,               -- UTC
    who      VARCHAR,                          -- the key's name; NULL when no key matched
    action   VARCHAR NOT NULL,                 -- e.g. 'POST /v1/keys', 'cli keys revoke'
    target   VARCHAR,                          -- a key's name for key management, else NULL
    outcome  VARCHAR NOT NULL,                 -- ok, refused, failed
    status   INTEGER                           -- the HTTP status answered (NULL from the CLI)
);
