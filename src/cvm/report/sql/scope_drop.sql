-- Free the report's segment members.
DROP TABLE IF EXISTS temp.main.report_scope;
