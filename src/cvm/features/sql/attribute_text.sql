-- The listed customers' attribute values as trimmed text, one column per key (__columns__:
-- a0, a1, ..., attribute_value.sql each, with their JSON paths bound), blank as NULL; pos keeps
-- list order. __source__ is an attribute_source_*.sql query.
CREATE OR REPLACE TEMP TABLE attribute_text AS
SELECT w.pos, __columns__
FROM attribute_ids w
LEFT JOIN __source__ AS s ON s.customer_id = w.customer_id
