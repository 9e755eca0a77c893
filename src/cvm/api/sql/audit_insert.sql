-- One privileged call, or one refused call to a privileged route.
INSERT INTO audit_log (ts, who, action, target, outcome, status)
VALUES ($ts, $who, $action, $target, $outcome, $status);
