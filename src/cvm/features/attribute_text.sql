-- The listed customers' attribute values as trimmed text, one column per key (a0, a1, ...,
-- added by attributes.py with their JSON paths bound), blank as NULL; pos keeps list order.
CREATE OR REPLACE TEMP TABLE attribute_text AS
SELECT w.pos /*COLUMNS*/
FROM attribute_ids w
LEFT JOIN (/*SOURCE*/) s ON s.customer_id = w.customer_id
