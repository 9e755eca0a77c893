-- Free one of the request's temporary tables, __table__.
DROP TABLE IF EXISTS __table__;
