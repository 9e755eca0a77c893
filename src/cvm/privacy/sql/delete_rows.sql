-- Delete the rows of __table__ about the request's customer (__condition__ from rows.sql).
DELETE FROM __table__ WHERE __condition__ RETURNING 1;
