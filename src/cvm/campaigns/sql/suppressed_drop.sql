-- The suppressed customers' working table.
DROP TABLE IF EXISTS suppressed_customers
