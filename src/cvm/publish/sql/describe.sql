-- The columns and types of a query's result, __source__.
DESCRIBE SELECT * FROM __source__ AS q;
