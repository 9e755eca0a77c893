-- Every valid row is a new key (checked by the caller): all of them, without a join.
SELECT * FROM __rows__ WHERE reason IS NULL
