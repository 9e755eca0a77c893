-- The staging tables of an import (a segments run's members too), once it is stored.
DROP TABLE IF EXISTS import_checked;
DROP TABLE IF EXISTS import_rows;
DROP TABLE IF EXISTS import_members_checked;
DROP TABLE IF EXISTS import_members
