-- Customers in a built profile (__table__).
SELECT count(*)
FROM __table__
