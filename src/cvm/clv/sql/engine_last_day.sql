-- The day of the newest transaction: the default cutoff.
SELECT max(CAST(ts AS DATE)) AS day FROM transactions
