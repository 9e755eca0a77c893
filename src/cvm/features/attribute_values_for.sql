-- One attribute's value (as text) for each listed customer (attribute_ids: customer_id, pos),
-- in list order; $path is the JSON path of the key. NULL when the customer has no such key.
SELECT json_extract_string(s.doc, $path) AS value
FROM attribute_ids w
LEFT JOIN (/*SOURCE*/) s ON s.customer_id = w.customer_id
ORDER BY w.pos
