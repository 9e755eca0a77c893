-- Binned CLV of one run ($run_id) into $bins equal bins from the minimum (or 0) to the 99th
-- percentile; customers above it fall in the last bin. Customers and CLV per bin.
WITH s AS (
    SELECT clv FROM scores WHERE run_id = $run_id AND clv IS NOT NULL AND isfinite(clv)
),
edges AS (
    SELECT least(min(clv), 0) AS lo,
           greatest(quantile_cont(clv, 0.99), least(min(clv), 0) + 1e-9) AS hi
    FROM s
)
SELECT
    b.bin,
    any_value(e.lo) + b.bin * (any_value(e.hi) - any_value(e.lo)) / $bins AS bin_start,
    any_value(e.lo) + (b.bin + 1) * (any_value(e.hi) - any_value(e.lo)) / $bins AS bin_end,
    count(*) AS customers,
    sum(b.clv) AS clv
FROM (
    SELECT s.clv,
           CAST(least(greatest(floor((s.clv - e.lo) / (e.hi - e.lo) * $bins), 0), $bins - 1)
                AS INTEGER) AS bin
    FROM s, edges AS e
) AS b, edges AS e
GROUP BY b.bin
ORDER BY b.bin;
