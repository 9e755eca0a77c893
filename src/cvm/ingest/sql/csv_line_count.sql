-- Lines of a CSV file that hold text, the header ($skip lines: 1, or 0 without one) excepted
-- (compared with the records read).
SELECT count(*) - $skip
FROM read_csv(
    $path, columns = {'l': 'VARCHAR'}, header = false, delim = $nodelim, quote = '',
    escape = '', auto_detect = false, encoding = $encoding, strict_mode = false
)
WHERE l IS NOT NULL;
