-- One stored table (__source__, named with its catalog) seen through a temporary view of the
-- same name (__view__) that holds only the rows of the customers in live_ids: the batch SQL
-- then runs unchanged on a few customers. Views live on the refresh's own cursor only.
CREATE OR REPLACE TEMP VIEW __view__ AS
SELECT *
FROM __source__
WHERE customer_id IN (SELECT customer_id FROM live_ids)
