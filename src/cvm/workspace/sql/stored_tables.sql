-- The workspace's stored tables (not views, temporary tables or attached databases).
SELECT table_name FROM information_schema.tables
WHERE table_catalog = current_database() AND table_schema = 'main'
    AND table_type = 'BASE TABLE'
ORDER BY table_name;
