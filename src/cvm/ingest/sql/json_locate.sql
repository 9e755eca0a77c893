-- Line number and the record as JSON for refused JSON-lines rows.
UPDATE _cvm_rejects AS r
SET _line = r._rec, _raw = x.raw
FROM (
    SELECT row_number() OVER () AS rec, to_json(p)::VARCHAR AS raw
    FROM read_json($path, format = 'newline_delimited') AS p
) AS x
WHERE r._line IS NULL AND x.rec = r._rec;
