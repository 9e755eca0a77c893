-- Lines the CSV scanner could not parse (wrong column count, quoting, encoding), one row each.
INSERT INTO _cvm_rejects (_rec, _line, _raw, reason)
SELECT
    NULL,
    line,
    arg_min(csv_line, coalesce(column_idx, 0)),
    arg_min(
        CASE
            WHEN error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS')
                THEN 'wrong column count: expected '
                    || regexp_extract(error_message, 'Expected Number of Columns: (\d+)', 1)
                    || ', found '
                    || regexp_extract(error_message, 'Found: (\d+)', 1)
            ELSE 'unreadable row: ' || lower(error_type)
        END,
        coalesce(column_idx, 0)
    )
FROM _cvm_csv_errors
GROUP BY line;
