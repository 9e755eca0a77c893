-- One attribute's value (as text) per customer of a source, in customer order; $path is the
-- JSON path of the key. A customer without the key gets NULL.
SELECT customer_id, json_extract_string(doc, $path) AS value
FROM (/*SOURCE*/) s
ORDER BY customer_id
