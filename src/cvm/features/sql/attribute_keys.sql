-- Top-level keys of the JSON documents of a source (customers.attributes or an imported
-- campaign's covariates): one row per key, in name order. __source__ is one of the
-- attribute_source_*.sql queries (columns customer_id, doc).
SELECT DISTINCT k AS key
FROM (SELECT unnest(json_keys(doc)) AS k FROM __source__ AS s WHERE json_type(doc) = 'OBJECT')
ORDER BY key
