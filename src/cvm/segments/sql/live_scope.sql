-- One stored table (__source__, named with its catalog) copied into a temporary table of the
-- same name (__view__) holding only the rows of the customers in live_ids, which then stands
-- for it: the batch SQL runs unchanged on a few customers. Temporary tables belong to the
-- refresh's own cursor and go with it.
CREATE OR REPLACE TEMP TABLE __view__ AS
SELECT *
FROM __source__
WHERE customer_id IN (SELECT customer_id FROM live_ids)
