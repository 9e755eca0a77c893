-- Row number and the row as JSON for refused Parquet rows.
UPDATE _cvm_rejects AS r
SET _line = r._rec, _raw = x.raw
FROM (
    SELECT
        file_row_number + 1 AS rec,
        json_merge_patch(to_json(p), '{"file_row_number": null}')::VARCHAR AS raw
    FROM read_parquet($path, file_row_number = true) AS p
) AS x
WHERE r._line IS NULL AND x.rec = r._rec;
