-- How many rows of Parquet file $f match $p anywhere in their text.
SELECT count(*) FROM read_parquet($f) AS t
WHERE regexp_matches(CAST(t AS VARCHAR), $p);
