-- Refused rows of the stored loads, filtered: $load_id, $kind (exact, NULL = any) and $reason
-- (case-insensitive text within the reason, NULL = any); newest load first, then file order.
SELECT r.load_id, r.kind, r.source, r.line, r.reason, r.raw
FROM rejected_rows AS r
WHERE ($load_id IS NULL OR r.load_id = $load_id)
    AND ($kind IS NULL OR r.kind = $kind)
    AND ($reason IS NULL OR contains(lower(r.reason), lower($reason)))
ORDER BY r.rejected_at DESC, r.load_id DESC, r.line NULLS LAST
LIMIT $limit;
