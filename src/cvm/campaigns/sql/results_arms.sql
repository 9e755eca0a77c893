-- Kept result rows per arm.
SELECT arm_, count(*) FROM results_import WHERE reason IS NULL GROUP BY 1 ORDER BY 1
