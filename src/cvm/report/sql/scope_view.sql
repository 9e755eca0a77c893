-- A temporary view __view__ over stored table __source__ holding the segment's members only;
-- an unqualified name resolves to it before the stored table.
CREATE OR REPLACE TEMP VIEW __view__ AS
SELECT * FROM __source__
WHERE customer_id IN (SELECT customer_id FROM temp.main.report_scope);
