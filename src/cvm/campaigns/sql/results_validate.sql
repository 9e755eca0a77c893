-- Validate staged result rows (results_raw): the first failing check is the reason; rows with
-- a NULL reason are loaded. __outcome_problem__ names the first outcome cell that is not 0/1,
-- yes/no or a number (NULL: none); results.py builds it from the outcome columns.
CREATE OR REPLACE TEMP TABLE results_import AS
SELECT *,
    CASE
        WHEN customer_id_ IS NULL THEN 'missing customer id'
        WHEN arm_ IS NULL THEN 'missing arm'
        WHEN __outcome_problem__ IS NOT NULL THEN __outcome_problem__
        WHEN row_number() OVER (PARTITION BY customer_id_ ORDER BY line_) > 1
            THEN 'duplicate customer in the file: ' || customer_id_
    END AS reason
FROM results_raw
