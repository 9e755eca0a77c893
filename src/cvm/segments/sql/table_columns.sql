-- The columns of a table (no rows): what a rule over it may name.
SELECT *
FROM __table__
LIMIT 0
