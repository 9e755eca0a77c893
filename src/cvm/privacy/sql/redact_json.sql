-- Replace matches of $p by $r in JSON column __column__ of __table__ (as text); the rows changed.
UPDATE __table__ SET __column__ = (regexp_replace(__column__::VARCHAR, $p, $r, 'g'))::JSON
WHERE regexp_matches(__column__::VARCHAR, $p)
RETURNING 1;
