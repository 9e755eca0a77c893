-- The tables and views of database $catalog.
SELECT table_name FROM information_schema.tables
WHERE table_catalog = $catalog AND table_schema = 'main';
