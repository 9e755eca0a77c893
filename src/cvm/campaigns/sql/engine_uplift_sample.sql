-- A seeded sample of at most $rows test members with their features, arm and outcome, in the
-- order of md5(customer_id || $seed): the same members on every engine. Members unknown to
-- the profile have no features and are left out.
WITH members AS (
    SELECT f.*, CAST(m.arm AS VARCHAR) AS arm, CAST(m.outcome AS DOUBLE) AS outcome
    FROM uplift_rows AS f
    JOIN uplift_members AS m ON CAST(m.customer_id AS VARCHAR) = f.customer_id
    WHERE m.outcome IS NOT NULL
),
drawn AS (
    SELECT *
    FROM members
    ORDER BY md5(concat(customer_id, $seed)), customer_id
    LIMIT $rows
)
SELECT * FROM drawn ORDER BY customer_id
