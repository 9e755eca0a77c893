-- JSON lines read as text, so a line that is not JSON keeps its number and raw text.
CREATE OR REPLACE TEMP TABLE _ev_lines AS
SELECT row_number() OVER () AS line, raw
FROM read_csv($path, columns = {'raw': 'VARCHAR'}, header = false,
    delim = chr(1), quote = '', escape = '', auto_detect = false,
    parallel = false, max_line_size = $max)
