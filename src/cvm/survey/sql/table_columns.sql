-- The columns of a stored table, in order.
SELECT column_name
FROM information_schema.columns
WHERE table_schema = 'main' AND table_name = $table
ORDER BY ordinal_position
