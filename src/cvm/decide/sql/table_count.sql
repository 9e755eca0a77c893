-- 1 when a table named $name exists, else 0.
SELECT count(*) FROM information_schema.tables WHERE table_name = $name
