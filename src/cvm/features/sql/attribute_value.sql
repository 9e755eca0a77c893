-- One attribute of the source document as trimmed text, blank as NULL, at the JSON path bound
-- as $path (attributes.py renames the parameter per key).
SELECT nullif(trim(json_extract_string(s.doc, $path)), '') AS value
FROM attribute_source AS s
