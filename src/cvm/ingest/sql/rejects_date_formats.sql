-- The distinct timestamps this load could not parse (a sample), to guess their format.
SELECT DISTINCT
    regexp_extract(reason, '^unparseable timestamp: (.*?)(?: \(expected .*\))?$', 1) AS v
FROM _cvm_rejects
WHERE starts_with(reason, 'unparseable timestamp: ')
LIMIT 1000;
