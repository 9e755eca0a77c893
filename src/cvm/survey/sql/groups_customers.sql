-- Label of each customer from one column of customers (__column__, checked by the caller).
SELECT customer_id, CAST(__column__ AS VARCHAR) AS label
FROM customers
WHERE __column__ IS NOT NULL
