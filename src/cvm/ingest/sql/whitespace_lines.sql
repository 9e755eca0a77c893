-- A whitespace-delimited file as numbered lines, each split into fields on runs of spaces or
-- tabs; $skip header lines and blank lines left out.
SELECT line AS _line, l AS _raw,
    regexp_split_to_array(trim(l, ' ' || chr(9) || chr(13)), '\s+') AS _f
FROM (
    SELECT row_number() OVER () AS line, l
    FROM read_csv($path, columns = {'l': 'VARCHAR'}, header = false, delim = $nodelim,
        quote = '', escape = '', auto_detect = false, encoding = $encoding, strict_mode = false)
)
WHERE line > $skip AND l IS NOT NULL AND trim(l, ' ' || chr(9) || chr(13)) <> ''
