-- Erasure with a keyed hash. The log's id_hash becomes HMAC-SHA256 under the workspace's own
-- secret (the file erasure.key beside the database, never in it), so a copy of the database
-- alone cannot tell whom it forgot. Rows written before this version hold sha256 of the id
-- ('sha256'); cvm re-keys them the first time it holds the secret ('hmac-sha256(sha256)').
ALTER TABLE erasures ADD COLUMN IF NOT EXISTS scheme VARCHAR;
UPDATE erasures SET scheme = 'sha256' WHERE scheme IS NULL;

-- Keyed hashes of every identifier of every erased customer (ids, e-mails, phones, anonymous
-- and CRM ids: kind 'person'; their order ids: kind 'order'), not linked to one another or to
-- the log. Ingest refuses rows that carry one of them.
CREATE TABLE IF NOT EXISTS erased_identifiers (
    id_hash VARCHAR NOT NULL,
    kind    VARCHAR NOT NULL
);

-- when the database was last rebuilt after the erasure (NULL: its bytes may still be in the
-- file until `cvm privacy compact`)
ALTER TABLE erasures ADD COLUMN IF NOT EXISTS compacted_at TIMESTAMP;
