-- Every customer of an attribute source (__source__: an attribute_source_*.sql query).
SELECT customer_id
FROM __source__ AS s
ORDER BY 1
