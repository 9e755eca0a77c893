-- When the newest transaction happened.
SELECT max(ts) FROM transactions
