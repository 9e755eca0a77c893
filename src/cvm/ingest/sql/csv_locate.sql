-- Line number and text of refused rows known by record number: the file scanned as plain
-- lines; the header ($skip lines: 1, or 0 without one), blank lines and lines the scanner
-- refused hold no record.
UPDATE _cvm_rejects AS r
SET _line = x.line, _raw = x.l
FROM (
    SELECT line, l, row_number() OVER (ORDER BY line) AS rec
    FROM (
        SELECT row_number() OVER () AS line, l
        FROM read_csv(
            $path, columns = {'l': 'VARCHAR'}, header = false, delim = $nodelim, quote = '',
            escape = '', auto_detect = false, encoding = $encoding, strict_mode = false
        )
    )
    WHERE line > $skip
        AND l IS NOT NULL
        AND line NOT IN (SELECT _line FROM _cvm_rejects WHERE _rec IS NULL)
) AS x
WHERE r._line IS NULL AND x.rec = r._rec;
