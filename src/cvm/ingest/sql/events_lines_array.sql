-- A JSON array of messages, one row per element.
CREATE OR REPLACE TEMP TABLE _ev_lines AS
SELECT row_number() OVER () AS line, json::VARCHAR AS raw
FROM read_json_objects($path, format = 'array', maximum_object_size = $max)
