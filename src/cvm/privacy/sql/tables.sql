-- The stored base tables of the workspace, by name.
SELECT table_name FROM information_schema.tables
WHERE table_catalog = current_database() AND table_schema = 'main'
    AND table_type = 'BASE TABLE'
ORDER BY table_name;
