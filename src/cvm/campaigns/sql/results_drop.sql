-- A results import's working tables.
DROP TABLE IF EXISTS results_raw;
DROP TABLE IF EXISTS results_import;
