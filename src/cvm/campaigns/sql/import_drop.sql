-- An import's working tables.
DROP TABLE IF EXISTS campaign_import_raw;
DROP TABLE IF EXISTS assignment_import_raw;
DROP TABLE IF EXISTS campaign_import;
DROP TABLE IF EXISTS assignment_import;
