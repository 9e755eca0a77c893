-- One side of a migration (__side__: migration_from or migration_to) from the segment table,
-- labelled by one of its columns (__column__: rfm_segment, tier or lifecycle).
CREATE OR REPLACE TEMP TABLE __side__ AS
SELECT customer_id, coalesce(__column__, '(none)') AS label, clv
FROM customer_segments
