-- Messages handed over in memory (_ev_lines_in: line, raw), one JSON text a row.
CREATE OR REPLACE TEMP TABLE _ev_lines AS
SELECT line, raw FROM _ev_lines_in
