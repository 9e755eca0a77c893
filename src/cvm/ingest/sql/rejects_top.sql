-- The most frequent reasons, by their text before the first colon.
SELECT split_part(reason, ':', 1) AS reason, count(*) AS n
FROM _cvm_rejects
GROUP BY 1
ORDER BY n DESC, reason
LIMIT 5;
