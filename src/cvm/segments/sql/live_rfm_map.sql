-- A live profile has no RFM segment (RFM scores are quantiles over the whole population): the
-- lookup segments.sql joins is left empty, so rfm_segment is NULL rather than a wrong name.
CREATE OR REPLACE TEMP TABLE rfm_map_lookup (r BIGINT, f BIGINT, m BIGINT, segment VARCHAR)
