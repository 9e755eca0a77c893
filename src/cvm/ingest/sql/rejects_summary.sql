-- Refused rows by reason (the text before the first colon), with the same filters as
-- rejects_list.sql: how many rows, in how many loads, and the first line of each.
SELECT
    split_part(r.reason, ':', 1) AS reason,
    count(*) AS rows,
    count(DISTINCT r.load_id) AS loads,
    min(r.line) AS first_line
FROM rejected_rows AS r
WHERE ($load_id IS NULL OR r.load_id = $load_id)
    AND ($kind IS NULL OR r.kind = $kind)
    AND ($reason IS NULL OR contains(lower(r.reason), lower($reason)))
GROUP BY 1
ORDER BY rows DESC, reason;
