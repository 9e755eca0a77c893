-- One segment of rule_members.sql: __segment__ is the segment's name as a literal, __rule__
-- its checked tree (ancestors' rules included), NULL counting as false, as in
-- cvm/rules/sql/condition.sql.
SELECT CASE WHEN coalesce(CAST((__rule__) AS BOOLEAN), false)
            THEN CAST(__segment__ AS VARCHAR)
       END AS segment
