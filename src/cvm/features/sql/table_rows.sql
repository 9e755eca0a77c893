-- Every row of a built table, in customer order (small data, tests).
SELECT *
FROM __table__
ORDER BY customer_id
