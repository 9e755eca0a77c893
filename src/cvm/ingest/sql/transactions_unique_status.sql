-- Rows whose transaction_id is already stored, when ids are unique within the load: the same
-- content is a 'duplicate', other content a 'conflict'; every other valid row is new.
CREATE OR REPLACE TEMP TABLE __status__ AS
SELECT
    t._seq,
    CASE WHEN e.content_hash = t.content_hash THEN 'duplicate' ELSE 'conflict' END AS status
FROM __rows__ AS t
JOIN transactions AS e ON e.transaction_id = t.transaction_id
WHERE t.reason IS NULL
