-- Every reason of this load, by its text before the first colon, most frequent first.
SELECT split_part(reason, ':', 1) AS reason, count(*) AS n
FROM _cvm_rejects
GROUP BY 1
ORDER BY n DESC, reason;
