-- The day of the newest transaction: the natural default cutoff.
SELECT max(CAST(ts AS DATE)) FROM transactions
