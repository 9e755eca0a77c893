-- Every row of one table or view, __table__ (a name checked against the catalog).
SELECT * FROM __table__;
