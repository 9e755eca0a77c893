-- The tables and views of the workspace (names starting with "_" are internal).
SELECT table_name FROM information_schema.tables WHERE table_schema = 'main';
