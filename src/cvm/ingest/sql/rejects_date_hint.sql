-- Add the suggested --date-format to the reason of each timestamp that format reads.
UPDATE _cvm_rejects
SET reason = reason || $hint
WHERE starts_with(reason, 'unparseable timestamp: ')
    AND try_strptime(
        regexp_extract(reason, '^unparseable timestamp: (.*?)(?: \(expected .*\))?$', 1), $fmt
    ) IS NOT NULL;
