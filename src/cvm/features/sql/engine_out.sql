-- A built table (__table__) as written by a job on an engine, tagged with its run and day.
SELECT *, $run_id AS run_id, $as_of AS as_of
FROM __table__
