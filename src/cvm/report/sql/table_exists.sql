-- Whether a table or view named $table exists.
SELECT count(*) FROM information_schema.tables WHERE table_name = $table;
