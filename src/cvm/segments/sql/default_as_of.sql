-- The natural as-of day: the newest transaction, event or contract start/end (an end date still
-- ahead, a fixed term booked in advance, does not count).
SELECT greatest(
    (SELECT max(CAST(ts AS DATE)) FROM transactions),
    (SELECT max(CAST(ts AS DATE)) FROM events),
    (SELECT greatest(max(CAST(started AS DATE)),
                     max(CAST(ended AS DATE)) FILTER (WHERE CAST(ended AS DATE) <= current_date))
     FROM subscriptions)
)
