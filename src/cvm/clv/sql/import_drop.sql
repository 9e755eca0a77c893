-- The staging tables of an import, once it is stored.
DROP TABLE IF EXISTS import_checked;
DROP TABLE IF EXISTS import_rows
