-- Classify valid contracts: load (new), update (stored with other content: the file is a
-- snapshot, e.g. a contract that has ended since), duplicate (same content), conflict (the same
-- id twice in this file with different content).
-- __firsts__: the valid rows with the first row of their key (first_rows.sql).
CREATE OR REPLACE TEMP TABLE __status__ AS
WITH stored AS (
    SELECT subscription_id, hash(customer_id, plan, started, ended, monthly_amount) AS content_hash
    FROM subscriptions
)
SELECT
    v._seq,
    CASE
        WHEN v._seq <> v.first_seq AND v.content_hash = v.first_hash THEN 'duplicate'
        WHEN v._seq <> v.first_seq THEN 'conflict'
        WHEN e.subscription_id IS NULL THEN 'load'
        WHEN e.content_hash = v.content_hash THEN 'duplicate'
        ELSE 'update'
    END AS status
FROM __firsts__ AS v
LEFT JOIN stored AS e ON e.subscription_id = v.subscription_id;
