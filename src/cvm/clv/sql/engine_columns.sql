SELECT * FROM transactions LIMIT 0
