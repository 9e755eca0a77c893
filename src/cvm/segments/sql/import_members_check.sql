-- Every staged member row of a segments run (customer, rule segment) with the reason it is
-- refused (NULL: kept). A membership is stored only with its customer's profile row: a
-- customer the import refused (unknown, out of range) has no membership stored either.
CREATE OR REPLACE TEMP TABLE import_members_checked AS
WITH clean AS (
    SELECT import_file, import_line, customer_id, CAST(segment AS VARCHAR) AS segment,
        CAST(as_of AS DATE) AS cutoff,
        row_number() OVER (
            PARTITION BY customer_id, CAST(segment AS VARCHAR) ORDER BY import_file, import_line
        ) AS copy
    FROM import_members
),
profile AS (
    SELECT customer_id, max(reason) AS reason FROM import_checked GROUP BY customer_id
)
SELECT c.*, CASE
    WHEN c.customer_id IS NULL OR trim(c.customer_id) = '' THEN 'no customer_id'
    WHEN c.segment IS NULL OR trim(c.segment) = '' THEN 'no segment'
    WHEN c.copy > 1 THEN 'membership appears more than once in the run'
    WHEN p.customer_id IS NULL THEN 'member not in the run''s profile'
    WHEN p.reason IS NOT NULL THEN 'member whose customer is not stored'
END AS reason
FROM clean AS c
LEFT JOIN profile AS p ON p.customer_id = c.customer_id
