-- The rows of Parquet file $f that do not match $p anywhere in their text.
SELECT * FROM read_parquet($f) AS t
WHERE NOT regexp_matches(CAST(t AS VARCHAR), $p);
