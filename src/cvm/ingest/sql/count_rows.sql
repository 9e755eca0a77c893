SELECT count(*) FROM __table__
