-- Segment-spec messages: parse, validate, deduplicate and store one file staged in
-- _ev_lines(line, raw). Every row keeps its line and raw text so a refused row lands in
-- rejected_rows as it was read. $tz: zone of timestamps without an offset; $now: load time (UTC).

-- name: fields
-- Each object line is parsed once into a struct of the Segment fields (json_transform, not
-- strict: a number where text is expected becomes its text); nested objects stay JSON. try():
-- DuckDB may evaluate the transform on lines the CASE excludes. Blank lines are no rows.
CREATE OR REPLACE TEMP TABLE _ev_rows AS
WITH docs AS (
    SELECT
        line,
        raw,
        json_valid(raw) AS valid,
        json_valid(raw) AND ltrim(raw) LIKE '{%' AS is_object,
        CASE WHEN json_valid(raw) AND ltrim(raw) LIKE '{%' THEN try(json_transform(raw, '{
            "type": "VARCHAR", "messageId": "VARCHAR", "userId": "VARCHAR",
            "anonymousId": "VARCHAR", "previousId": "VARCHAR", "timestamp": "VARCHAR",
            "originalTimestamp": "VARCHAR", "sentAt": "VARCHAR", "receivedAt": "VARCHAR",
            "event": "VARCHAR", "name": "VARCHAR", "channel": "VARCHAR", "groupId": "JSON",
            "properties": "JSON", "traits": "JSON", "context": "JSON"}')) END AS m
    FROM _ev_lines
    WHERE raw IS NOT NULL AND NOT regexp_full_match(raw, '\s*')
),
fields AS (
    SELECT
        line,
        raw,
        valid,
        is_object,
        m,
        lower(nullif(trim(m.type), '')) AS type,
        nullif(trim(m.messageId), '') AS given_id,
        nullif(trim(m.userId), '') AS user_id,
        nullif(trim(m.anonymousId), '') AS anonymous_id,
        nullif(trim(m.previousId), '') AS previous_id,
        coalesce(
            nullif(trim(m.timestamp), ''),
            nullif(trim(m.originalTimestamp), ''),
            nullif(trim(m.sentAt), ''),
            nullif(trim(m.receivedAt), '')
        ) AS ts_text,
        -- an offset no place has: beyond +-14:00 or minutes past 59
        coalesce(
            try_cast(regexp_extract(ts_text, '\d:\d\d(?::\d\d(?:\.\d+)?)?\s*[+-](\d\d):?(\d\d)?$', 1)
                AS INTEGER) > 14
            OR try_cast(regexp_extract(ts_text, '\d:\d\d(?::\d\d(?:\.\d+)?)?\s*[+-](\d\d):?(\d\d)?$', 2)
                AS INTEGER) > 59,
            FALSE
        ) AS bad_offset,
        m.context AS context,
        nullif(trim(coalesce(
            m.properties ->> 'channel', m.context ->> 'channel', m.channel
        )), '') AS channel
    FROM docs
),
typed AS (
    SELECT
        *,
        CASE
            WHEN ts_text IS NULL THEN NULL
            WHEN bad_offset THEN NULL
            WHEN length(ts_text) > 10 AND regexp_matches(ts_text,
                '(Z|z|[+-]\d\d(:?\d\d)?|\s[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*)$')
                THEN try_cast(ts_text AS TIMESTAMPTZ)::TIMESTAMP
            ELSE timezone($tz, try_cast(ts_text AS TIMESTAMP))::TIMESTAMP
        END AS ts,
        CASE type
            WHEN 'track' THEN nullif(trim(m.event), '')
            WHEN 'page' THEN nullif(trim(m.name), '')
            WHEN 'screen' THEN nullif(trim(m.name), '')
        END AS event,
        CASE type
            WHEN 'identify' THEN m.traits
            WHEN 'group' THEN json_object('groupId', m.groupId, 'traits', m.traits)
            WHEN 'alias' THEN NULL
            ELSE m.properties
        END AS properties
    FROM fields
)
SELECT
    line,
    raw,
    coalesce(given_id, 'hash-' || md5(try(json(raw))::VARCHAR)) AS message_id,
    type,
    user_id,
    anonymous_id,
    previous_id,
    ts,
    event,
    properties,
    context,
    channel,
    CASE WHEN type = 'identify' THEN lower(nullif(trim(properties ->> 'email'), '')) END AS email,
    -- stable across DuckDB versions (migration 0031 computes the same for stored events)
    CAST('0x' || left(sha256(concat_ws(chr(31), coalesce(type, chr(0)), coalesce(user_id, chr(0)),
        coalesce(anonymous_id, chr(0)), coalesce(previous_id, chr(0)),
        coalesce(strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ'), chr(0)), coalesce(event, chr(0)),
        coalesce(properties::VARCHAR, chr(0)))), 16) AS UBIGINT) AS content_hash,
    CASE
        WHEN NOT valid THEN 'invalid JSON'
        WHEN NOT is_object THEN 'not a JSON object'
        WHEN type IS NULL THEN 'missing type'
        WHEN type NOT IN ('identify', 'track', 'page', 'screen', 'alias', 'group')
            THEN 'unknown type'
        WHEN user_id IS NULL AND anonymous_id IS NULL THEN 'missing userId and anonymousId'
        WHEN ts_text IS NULL THEN 'missing timestamp'
        WHEN ts IS NULL AND bad_offset THEN 'impossible UTC offset: ' || ts_text
        WHEN ts IS NULL THEN 'unparseable timestamp'
        WHEN ts < CAST($floor AS TIMESTAMP)
            THEN 'timestamp before ' || $floor || ': ' || strftime(ts, '%Y-%m-%d %H:%M:%S')
        WHEN ts > $now + INTERVAL 1 DAY THEN 'timestamp more than 1 day in the future'
        WHEN type = 'alias' AND previous_id IS NULL THEN 'alias without previousId'
        WHEN type = 'track' AND event IS NULL THEN 'track without event name'
    END AS reason
FROM typed;

-- name: classify
-- New, duplicate (same message_id and content, in the store or earlier in the file) or a
-- conflict (same message_id, other content): the first sighting of a message_id wins.
CREATE OR REPLACE TEMP TABLE _ev_checked AS
WITH ok AS (
    SELECT
        line,
        message_id,
        content_hash,
        first(content_hash ORDER BY line) OVER (PARTITION BY message_id) AS first_hash,
        row_number() OVER (PARTITION BY message_id ORDER BY line) AS nth
    FROM _ev_rows
    WHERE reason IS NULL
),
stored AS (
    SELECT message_id, max(content_hash) AS stored_hash, TRUE AS is_stored
    FROM events
    WHERE message_id IN (SELECT message_id FROM ok)
    GROUP BY message_id
)
SELECT
    r.line,
    CASE
        WHEN r.reason IS NOT NULL THEN 'rejected'
        WHEN s.is_stored AND s.stored_hash IS DISTINCT FROM r.content_hash
            AND s.stored_hash IS NOT NULL THEN 'rejected'
        WHEN s.is_stored THEN 'duplicate'
        WHEN ok.content_hash <> ok.first_hash THEN 'rejected'
        WHEN ok.nth > 1 THEN 'duplicate'
        ELSE 'new'
    END AS status,
    CASE
        WHEN r.reason IS NOT NULL THEN r.reason
        WHEN s.is_stored AND s.stored_hash IS DISTINCT FROM r.content_hash
            AND s.stored_hash IS NOT NULL THEN 'duplicate message_id with different content'
        WHEN NOT coalesce(s.is_stored, FALSE) AND ok.content_hash <> ok.first_hash
            THEN 'duplicate message_id with different content'
    END AS final_reason
FROM _ev_rows AS r
LEFT JOIN ok USING (line)
LEFT JOIN stored AS s ON s.message_id = r.message_id AND r.reason IS NULL;

-- name: rejects_insert
INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
SELECT $load_id, 'events', $source, c.line, r.raw, c.final_reason
FROM _ev_checked AS c
JOIN _ev_rows AS r USING (line)
WHERE c.status = 'rejected'
ORDER BY c.line;

-- name: counts
SELECT
    count(*) AS rows_read,
    count(*) FILTER (WHERE status = 'new') AS loaded,
    count(*) FILTER (WHERE status = 'duplicate') AS duplicates,
    count(*) FILTER (WHERE status = 'rejected') AS rejected
FROM _ev_checked;

-- name: top_reasons
SELECT final_reason, count(*) AS n
FROM _ev_checked
WHERE status = 'rejected'
GROUP BY final_reason
ORDER BY n DESC, final_reason
LIMIT 5;

-- name: new_rows
CREATE OR REPLACE TEMP TABLE _ev_new AS
SELECT r.* EXCLUDE (raw, reason)
FROM _ev_rows AS r
JOIN _ev_checked AS c USING (line)
WHERE c.status = 'new';

-- name: identity_nodes
-- Every id this load saw, first sighting first; an identify's createdAt trait counts as a
-- sighting of its userId. An alias previousId is its own source ('alias').
CREATE OR REPLACE TEMP TABLE _id_batch_nodes AS
WITH sightings AS (
    SELECT 'user' AS source, user_id AS source_id,
        least(ts, CASE WHEN type = 'identify'
            THEN try_cast(properties ->> 'createdAt' AS TIMESTAMPTZ)::TIMESTAMP END) AS ts
    FROM _ev_new WHERE user_id IS NOT NULL
    UNION ALL
    SELECT 'anonymous', anonymous_id, ts FROM _ev_new WHERE anonymous_id IS NOT NULL
    UNION ALL
    SELECT 'email', email, ts FROM _ev_new WHERE email IS NOT NULL
    UNION ALL
    SELECT 'alias', previous_id, ts FROM _ev_new WHERE type = 'alias'
)
SELECT source, source_id, min(ts) AS first_seen
FROM sightings
GROUP BY source, source_id;

-- name: identity_edges
-- identify and alias link the ids they carry; other calls link nothing.
CREATE OR REPLACE TEMP TABLE _id_batch_edges AS
WITH who AS (
    SELECT
        *,
        CASE WHEN user_id IS NOT NULL THEN 'user' ELSE 'anonymous' END AS main_source,
        coalesce(user_id, anonymous_id) AS main_id
    FROM _ev_new
    WHERE type IN ('identify', 'alias')
)
SELECT 'user' AS a_source, user_id AS a_id, 'anonymous' AS b_source, anonymous_id AS b_id
FROM who WHERE user_id IS NOT NULL AND anonymous_id IS NOT NULL
UNION
SELECT main_source, main_id, 'email', email FROM who WHERE email IS NOT NULL
UNION
SELECT main_source, main_id, 'alias', previous_id FROM who WHERE type = 'alias';

-- name: events_insert
INSERT INTO events (
    message_id, type, customer_id, user_id, anonymous_id, ts, event, properties, load_id,
    previous_id, context, content_hash
)
SELECT
    n.message_id,
    n.type,
    CASE WHEN n.user_id IS NOT NULL THEN coalesce(iu.customer_id, n.user_id)
        ELSE coalesce(ia.customer_id, il.customer_id) END,
    n.user_id,
    n.anonymous_id,
    n.ts,
    n.event,
    n.properties,
    $load_id,
    n.previous_id,
    n.context,
    n.content_hash
FROM _ev_new AS n
LEFT JOIN identities AS iu ON iu.source = 'user' AND iu.source_id = n.user_id
LEFT JOIN identities AS ia ON ia.source = 'anonymous' AND ia.source_id = n.anonymous_id
LEFT JOIN identities AS il ON il.source = 'alias' AND il.source_id = n.anonymous_id
ORDER BY n.line;

-- name: events_relink
-- Earlier anonymous events whose id this load linked to a customer (previous customer kept so
-- that orders placed while anonymous can be loaded now).
CREATE OR REPLACE TEMP TABLE _ev_relinked AS
SELECT e.message_id, e.customer_id AS previous_customer, r.customer_id
FROM events AS e
JOIN (
    SELECT source_id, arg_min(customer_id, source) AS customer_id  -- 'alias' < 'anonymous'
    FROM identities
    WHERE source IN ('anonymous', 'alias')
        AND source_id IN (
            SELECT source_id FROM _id_resolved WHERE source IN ('anonymous', 'alias')
        )
    GROUP BY source_id
) AS r ON e.anonymous_id = r.source_id
WHERE e.user_id IS NULL
    AND e.customer_id IS DISTINCT FROM r.customer_id
    AND e.load_id <> $load_id;

-- name: events_relink_apply
UPDATE events AS e
SET customer_id = r.customer_id
FROM _ev_relinked AS r
WHERE e.message_id = r.message_id;

-- name: lines_drop
DROP TABLE _ev_lines;

-- name: invalid_text
UPDATE _ev_rows SET reason = 'unreadable row: invalid UTF-8' WHERE line = $line;
