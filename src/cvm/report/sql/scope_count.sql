-- The members of the report's segment (scope_members.sql).
SELECT count(*) FROM report_scope;
