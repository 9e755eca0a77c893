-- Customers moving between groups of column __column__ (segment or tier) from run $from_run
-- to run $to_run; a customer missing in one run is in group '(none)' there.
WITH a AS (
    SELECT customer_id, CAST(__column__ AS VARCHAR) AS g FROM scores
    WHERE run_id = $from_run AND __column__ IS NOT NULL
),
b AS (
    SELECT customer_id, CAST(__column__ AS VARCHAR) AS g FROM scores
    WHERE run_id = $to_run AND __column__ IS NOT NULL
)
SELECT
    coalesce(a.g, '(none)') AS from_group,
    coalesce(b.g, '(none)') AS to_group,
    count(*) AS customers
FROM a
FULL OUTER JOIN b ON a.customer_id = b.customer_id
GROUP BY 1, 2
ORDER BY 1, 2;
