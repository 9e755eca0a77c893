-- Validate staged result rows (results_raw): the first failing check is the reason; rows with
-- a NULL reason are loaded. results.py adds one check per outcome column at the marker.
CREATE OR REPLACE TEMP TABLE results_import AS
SELECT *,
    CASE
        WHEN customer_id_ IS NULL THEN 'missing customer id'
        WHEN arm_ IS NULL THEN 'missing arm'
        /*CHECKS*/
        WHEN row_number() OVER (PARTITION BY customer_id_ ORDER BY line_) > 1
            THEN 'duplicate customer in the file: ' || customer_id_
    END AS reason
FROM results_raw;
