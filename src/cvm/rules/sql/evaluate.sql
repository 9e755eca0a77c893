-- Every rule's condition (condition.sql, one column each) for every row of the profile.
SELECT customer_id, __conditions__
FROM profile
