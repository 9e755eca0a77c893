-- Expressions over one cell (__cell__) of an imported file, used by name in the loaders.
SELECT
    -- the cell as trimmed text, NULL when blank
    nullif(trim(CAST(__cell__ AS VARCHAR)), '') AS text_value,
    -- the cell as it goes in rejected_rows' raw line
    coalesce(CAST(__cell__ AS VARCHAR), '') AS raw_value,
    -- the cell as text, kept as it is
    CAST(__cell__ AS VARCHAR) AS varchar_value,
    -- an outcome: vendor yes/no as 1/0, else a finite number, else NULL
    CASE
        WHEN lower(trim(CAST(__cell__ AS VARCHAR))) IN ('yes', 'y', 'true', 't') THEN 1.0
        WHEN lower(trim(CAST(__cell__ AS VARCHAR))) IN ('no', 'n', 'false', 'f') THEN 0.0
        ELSE CASE
            WHEN isfinite(try_cast(lower(trim(CAST(__cell__ AS VARCHAR))) AS DOUBLE))
                THEN try_cast(lower(trim(CAST(__cell__ AS VARCHAR))) AS DOUBLE)
        END
    END AS outcome_value
