-- The most used order channels up to $as_of (at most $limit): the channel-share features.
SELECT coalesce(channel, 'unknown') AS c
FROM transactions
WHERE CAST(ts AS DATE) <= $as_of
GROUP BY 1
ORDER BY count(*) DESC, 1
LIMIT $limit
