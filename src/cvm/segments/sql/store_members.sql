-- A run's rule-segment memberships (segment_member_pairs: customer_id, segment).
INSERT INTO segment_members
SELECT $run_id, customer_id, segment
FROM segment_member_pairs
