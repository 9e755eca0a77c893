-- Every live profile, as the service keeps it in memory (cvm.segments.live_cache); a
-- customer a merge left with two rows is answered by live_cache_twice.sql after this.
SELECT customer_id, CAST(profile AS VARCHAR) AS profile
FROM live_profiles
