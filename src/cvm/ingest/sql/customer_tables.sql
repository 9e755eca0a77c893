-- Every base table with a customer_id column, customers aside.
SELECT c.table_name FROM information_schema.columns AS c
JOIN information_schema.tables AS t USING (table_schema, table_name)
WHERE c.table_schema = 'main' AND c.column_name = 'customer_id'
    AND t.table_type = 'BASE TABLE' AND c.table_name <> 'customers'
ORDER BY 1
