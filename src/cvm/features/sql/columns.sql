-- The columns of a relation (no rows).
SELECT *
FROM __source__
LIMIT 0
