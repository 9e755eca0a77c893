-- Erasures (right to be forgotten): when a customer was forgotten and how many rows went, never
-- whom: the id is kept only as a SHA-256 hash, so a repeated request can be recognised.
CREATE TABLE IF NOT EXISTS erasures (
    erased_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    id_hash      VARCHAR NOT NULL,
    rows_deleted BIGINT NOT NULL
);
