-- Every text and JSON column of every stored base table (where a mention may be redacted).
SELECT c.table_name, c.column_name, c.data_type
FROM information_schema.columns AS c
JOIN information_schema.tables AS t USING (table_catalog, table_schema, table_name)
WHERE c.table_catalog = current_database() AND c.table_schema = 'main'
    AND t.table_type = 'BASE TABLE' AND c.data_type IN ('VARCHAR', 'JSON')
ORDER BY c.table_name, c.ordinal_position;
