-- Snapshot semantics: a changed contract is replaced by the file's row, a new one added.
CREATE OR REPLACE TEMP TABLE __new__ AS
SELECT t.*, s.status
FROM __rows__ AS t
JOIN __status__ AS s ON s._seq = t._seq
WHERE s.status IN ('load', 'update');

DELETE FROM subscriptions
WHERE subscription_id IN (SELECT subscription_id FROM __new__ WHERE status = 'update');

INSERT INTO subscriptions (
    subscription_id, customer_id, plan, started, ended, monthly_amount, load_id
)
SELECT subscription_id, customer_id, plan, started, ended, monthly_amount, $load_id
FROM __new__;
