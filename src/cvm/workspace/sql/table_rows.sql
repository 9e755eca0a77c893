-- The rows of one stored table, __table__ (a name from the catalog).
SELECT count(*) FROM __table__;
