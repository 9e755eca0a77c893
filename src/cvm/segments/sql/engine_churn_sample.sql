-- A seeded sample of the labelled rows, stratified by class: the first $churned_rows churners
-- and $stayed_rows others in the order of md5(customer_id || $seed). md5 gives the same order
-- on every engine, so DuckDB and Spark draw the same customers.
WITH keyed AS (
    SELECT f.*, l.churned,
           row_number() OVER (
               PARTITION BY l.churned
               ORDER BY md5(concat(f.customer_id, $seed)), f.customer_id
           ) AS pick
    FROM churn_rows AS f
    JOIN churn_labelled AS l ON l.customer_id = f.customer_id
)
SELECT *
FROM keyed
WHERE (churned AND pick <= $churned_rows) OR (NOT churned AND pick <= $stayed_rows)
ORDER BY customer_id
