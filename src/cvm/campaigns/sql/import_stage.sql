-- Stage a campaigns or assignments file as text columns (__columns__) in the temp table
-- __table__, with its 1-based file line and the raw line (__raw__) for rejected rows.
CREATE OR REPLACE TEMP TABLE __table__ AS
SELECT row_number() OVER () + 1 AS line, __columns__, __raw__ AS raw
FROM __source__
