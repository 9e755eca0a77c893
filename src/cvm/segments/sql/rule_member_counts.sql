-- Members per rule segment of a members table (__table__: customer_id, segment).
SELECT segment, count(*) AS customers
FROM __table__
GROUP BY segment
