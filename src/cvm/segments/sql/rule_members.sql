-- The members of one rule segment on an engine (segments/on_engine.py): __segment__ is the
-- segment's name as a literal, __rule__ its checked tree (ancestors' rules included), NULL
-- counting as false, as in cvm/rules/sql/condition.sql.
SELECT customer_id, __segment__ AS segment
FROM __table__
WHERE coalesce(CAST((__rule__) AS BOOLEAN), false)
