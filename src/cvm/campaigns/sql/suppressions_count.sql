-- Rows of the customer suppression list.
SELECT count(*) FROM suppressions
