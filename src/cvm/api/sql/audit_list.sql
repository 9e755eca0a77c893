-- The newest audit rows first.
SELECT ts, who, action, target, outcome, status
FROM audit_log
ORDER BY ts DESC
LIMIT $limit;
