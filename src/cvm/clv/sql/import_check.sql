-- Every staged score row with the reason it is refused (NULL: kept). NaN is an empty score (as
-- the workspace stores it: NULL); infinities, negative histories, P(alive) outside [0, 1], money
-- past $max_amount, an id twice and a customer the workspace does not know are refused.
CREATE OR REPLACE TEMP TABLE import_checked AS
WITH clean AS (
    SELECT
        import_file, import_line, customer_id,
        CAST(frequency AS DOUBLE) AS frequency, CAST(recency AS DOUBLE) AS recency,
        CAST("T" AS DOUBLE) AS t,
        nullif(CAST(monetary_value AS DOUBLE), 'NaN'::DOUBLE) AS monetary,
        nullif(CAST(expected_purchases AS DOUBLE), 'NaN'::DOUBLE) AS expected_purchases,
        nullif(CAST(p_alive AS DOUBLE), 'NaN'::DOUBLE) AS p_alive,
        nullif(CAST(expected_spend AS DOUBLE), 'NaN'::DOUBLE) AS expected_spend,
        nullif(CAST(clv AS DOUBLE), 'NaN'::DOUBLE) AS clv,
        nullif(CAST(clv_lower AS DOUBLE), 'NaN'::DOUBLE) AS clv_lower,
        nullif(CAST(clv_upper AS DOUBLE), 'NaN'::DOUBLE) AS clv_upper,
        CAST(spend_imputed AS BOOLEAN) AS spend_imputed,
        CAST(cutoff AS DATE) AS cutoff,
        count(*) OVER (PARTITION BY customer_id) AS copies
    FROM import_rows
)
SELECT c.*, CASE
    WHEN c.customer_id IS NULL OR trim(c.customer_id) = '' THEN 'no customer_id'
    WHEN c.copies > 1 THEN 'customer_id ' || c.customer_id || ' appears more than once in the run'
    WHEN NOT coalesce(isfinite(c.frequency) AND isfinite(c.recency) AND isfinite(c.t), FALSE)
        THEN 'frequency, recency or T missing or not finite'
    WHEN c.frequency < 0 OR c.recency < 0 OR c.t < 0 OR c.recency > c.t
        THEN 'history out of range: frequency, recency, T must be >= 0 and recency <= T'
    WHEN NOT coalesce(c.p_alive BETWEEN 0 AND 1, TRUE) THEN 'p_alive not in [0, 1]'
    WHEN NOT (coalesce(isfinite(c.monetary) AND abs(c.monetary) <= $max_amount, TRUE)
        AND coalesce(isfinite(c.expected_purchases) AND abs(c.expected_purchases) <= $max_amount, TRUE)
        AND coalesce(isfinite(c.expected_spend) AND abs(c.expected_spend) <= $max_amount, TRUE)
        AND coalesce(isfinite(c.clv) AND abs(c.clv) <= $max_amount, TRUE)
        AND coalesce(isfinite(c.clv_lower) AND abs(c.clv_lower) <= $max_amount, TRUE)
        AND coalesce(isfinite(c.clv_upper) AND abs(c.clv_upper) <= $max_amount, TRUE))
        THEN 'a score is not finite or out of range'
    WHEN NOT EXISTS (SELECT 1 FROM customers AS k WHERE k.customer_id = c.customer_id)
        AND NOT EXISTS (SELECT 1 FROM transactions AS k WHERE k.customer_id = c.customer_id)
        THEN 'customer unknown to the workspace'
END AS reason
FROM clean AS c
