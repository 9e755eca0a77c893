-- The day of the first transaction on or before $day.
SELECT CAST(min(ts) AS DATE) FROM transactions WHERE ts < CAST($day AS DATE) + 1;
