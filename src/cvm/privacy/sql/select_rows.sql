-- The rows of __table__ about the request's customer (__condition__ from rows.sql).
SELECT * FROM __table__ WHERE __condition__;
