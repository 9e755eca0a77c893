-- The newest contract start or end (an end date still ahead does not count).
SELECT greatest(max(CAST(started AS DATE)),
                max(CAST(ended AS DATE)) FILTER (WHERE CAST(ended AS DATE) <= current_date))
FROM subscriptions
