-- The lines of a whitespace-delimited file with the expected number of fields, as columns.
SELECT __fields__, _line, _raw FROM __lines__ WHERE len(_f) = $nfields
