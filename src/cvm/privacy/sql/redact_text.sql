-- Replace matches of $p by $r in text column __column__ of __table__; the rows changed.
UPDATE __table__ SET __column__ = regexp_replace(__column__, $p, $r, 'g')
WHERE regexp_matches(__column__, $p)
RETURNING 1;
