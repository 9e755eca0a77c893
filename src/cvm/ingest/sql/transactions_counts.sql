-- Loaded and duplicate rows of this load: uniform keys from __keys__, the rest from
-- __status__ (whose 'load' rows are already counted as new keys).
SELECT
    (SELECT count(*) FROM __keys__ WHERE stored_hash IS NULL) AS loaded,
    (
        SELECT coalesce(sum(CASE WHEN stored_hash IS NULL THEN n - 1 ELSE n END), 0)
        FROM __keys__
        WHERE hmin = hmax AND (stored_hash IS NULL OR stored_hash = hmin)
    )
    + (SELECT count(*) FROM __status__ WHERE status = 'duplicate') AS duplicates;
