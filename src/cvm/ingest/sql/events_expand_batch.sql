-- HTTP batch envelopes ({"batch": [...], "context": ..., "sentAt": ...}) expanded: each
-- element is one message inheriting the envelope's fields (its own values win).
CREATE OR REPLACE TEMP TABLE _ev_lines AS
WITH parsed AS (
    SELECT line, raw,
        CASE WHEN json_valid(raw) AND ltrim(raw) LIKE '{%' THEN raw::JSON END AS j
    FROM _ev_lines
),
items AS (
    SELECT line, 0 AS k, raw FROM parsed
    WHERE j IS NULL OR json_type(j, '$.batch') IS DISTINCT FROM 'ARRAY'
    UNION ALL
    SELECT p.line, e.k, json_merge_patch(
        json_merge_patch(p.j, '{"batch": null, "writeKey": null}'),
        e.msg
    )::VARCHAR
    FROM parsed AS p,
        LATERAL (SELECT unnest(range(json_array_length(p.j, '$.batch')::BIGINT)) + 1 AS k) AS r,
        LATERAL (SELECT r.k AS k, p.j -> ('$.batch[' || (r.k - 1) || ']') AS msg) AS e
    WHERE json_type(p.j, '$.batch') = 'ARRAY'
)
SELECT row_number() OVER (ORDER BY line, k) AS line, raw FROM items
