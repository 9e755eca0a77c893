-- Segment-spec events keep the alias source id, the context and a content hash (so a re-sent
-- message_id with other content is refused); identity groups that have no customer yet (an
-- anonymous id linked to an e-mail, say) wait in identity_links until a customer id joins them.
ALTER TABLE events ADD COLUMN IF NOT EXISTS previous_id VARCHAR;
ALTER TABLE events ADD COLUMN IF NOT EXISTS context JSON;
ALTER TABLE events ADD COLUMN IF NOT EXISTS content_hash UBIGINT;

-- key: (source, source_id); every id of one still-anonymous person shares a group_key
CREATE TABLE IF NOT EXISTS identity_links (
    source      VARCHAR NOT NULL,
    source_id   VARCHAR NOT NULL,
    group_key   VARCHAR NOT NULL,
    first_seen  TIMESTAMP,
    load_id     VARCHAR
);
