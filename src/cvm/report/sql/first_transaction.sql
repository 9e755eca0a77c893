-- The first transaction's time (NULL without transactions).
SELECT min(ts) FROM transactions;
