-- Randomized, reproducible arms: each eligible customer's position in its stratum, ordered by a
-- SHA-256 hash of campaign id and customer id, falls in one arm's [lower, upper) share.
-- $campaign_id, $assigned_at (assignment time). Needs campaign_candidates and campaign_arm_cuts.
INSERT INTO assignments (campaign_id, customer_id, arm, stratum, assigned_at)
WITH hashed AS (
    SELECT customer_id, stratum,
           ('0x' || left(sha256($campaign_id || ':' || customer_id), 16))::UBIGINT AS h
    FROM campaign_candidates
    WHERE reason IS NULL
),
placed AS (
    SELECT customer_id, stratum,
           (row_number() OVER (PARTITION BY stratum ORDER BY h, customer_id) - 0.5)
             / count(*) OVER (PARTITION BY stratum) AS pos
    FROM hashed
)
SELECT $campaign_id, p.customer_id, k.arm, nullif(p.stratum, 'all'), $assigned_at
FROM placed p JOIN campaign_arm_cuts k ON p.pos >= k.lower AND p.pos < k.upper;
