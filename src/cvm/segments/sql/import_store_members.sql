-- The kept memberships of an imported segments run, as store_members.sql stores the
-- workspace's own.
INSERT INTO segment_members (run_id, customer_id, segment)
SELECT $run_id, customer_id, segment
FROM import_members_checked
WHERE reason IS NULL
