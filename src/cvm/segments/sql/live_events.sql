-- A page of a customer's events, newest first, after the cursor ($ts, $message_id; NULL: the
-- first page). One row more than the page tells whether another page follows.
SELECT message_id, type, event, ts, user_id, anonymous_id,
       CAST(properties AS VARCHAR) AS properties, CAST(context AS VARCHAR) AS context
FROM events
WHERE customer_id = $customer_id
  AND ($ts IS NULL OR ts < $ts OR (ts = $ts AND message_id < $message_id))
ORDER BY ts DESC, message_id DESC
LIMIT $limit + 1
