-- The customers of one segment ($kind: rfm, tier, lifecycle or rule; $name) in one segments
-- run: the population a filtered report describes.
CREATE OR REPLACE TEMP TABLE report_scope AS
SELECT customer_id FROM scores
WHERE run_id = $run_id
    AND CASE $kind WHEN 'rfm' THEN segment WHEN 'tier' THEN tier
                   WHEN 'lifecycle' THEN lifecycle END = $name
UNION
SELECT customer_id FROM segment_members
WHERE $kind = 'rule' AND run_id = $run_id AND segment = $name;
