-- The last transaction's time (NULL without transactions).
SELECT max(ts) FROM transactions;
