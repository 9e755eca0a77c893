-- A file holding one (pretty-printed) JSON object: a batch envelope over many lines.
CREATE OR REPLACE TEMP TABLE _ev_lines AS
SELECT row_number() OVER () AS line, json::VARCHAR AS raw
FROM read_json_objects($path, format = 'unstructured', maximum_object_size = $max)
