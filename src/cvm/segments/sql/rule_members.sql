-- The members of every rule segment on an engine (segments/on_engine.py) in one pass over the
-- table (__table__), not one per rule: __segments__ holds one rule_member_case.sql item per
-- segment (its name when its rule holds); one row per customer and segment they are in.
SELECT customer_id, unnest(list_filter([__segments__], lambda s: s IS NOT NULL)) AS segment
FROM __table__
