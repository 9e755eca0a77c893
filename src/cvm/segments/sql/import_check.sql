-- Every staged profile row of a segments run with the reason it is refused (NULL: kept), as
-- the CLV import checks its scores (clv/sql/import_check.sql). NULL is an empty score (a
-- prospect has no history nor CLV). NaN is refused here, unlike in a CLV run: the engine
-- derived the row's tier, lifecycle and rule segments from it (Spark sorts NaN above every
-- number). Refused too: infinities, negative histories or recency past T, P(alive) or churn
-- risk outside [0, 1], money past $max_amount, an id twice and a customer the workspace does
-- not know.
CREATE OR REPLACE TEMP TABLE import_checked AS
WITH clean AS (
    SELECT
        import_file, import_line, customer_id,
        CAST(frequency AS DOUBLE) AS frequency,
        CAST(recency AS DOUBLE) AS recency,
        CAST("T" AS DOUBLE) AS t,
        CAST(monetary_value AS DOUBLE) AS monetary,
        CAST(expected_purchases AS DOUBLE) AS expected_purchases,
        CAST(p_alive AS DOUBLE) AS p_alive,
        CAST(clv AS DOUBLE) AS clv,
        CAST(revenue AS DOUBLE) AS revenue,
        CAST(rfm AS VARCHAR) AS rfm,
        CAST(rfm_segment AS VARCHAR) AS segment,
        CAST(tier AS VARCHAR) AS tier,
        CAST(lifecycle AS VARCHAR) AS lifecycle,
        CAST(churn_risk AS DOUBLE) AS churn_risk,
        CAST(churn_reasons AS VARCHAR[]) AS churn_reasons,
        CAST(as_of AS DATE) AS cutoff,
        count(*) OVER (PARTITION BY customer_id) AS copies
    FROM import_rows
)
SELECT c.*, CASE
    WHEN c.customer_id IS NULL OR trim(c.customer_id) = '' THEN 'no customer_id'
    WHEN c.copies > 1 THEN 'customer_id ' || c.customer_id || ' appears more than once in the run'
    WHEN NOT (coalesce(isfinite(c.frequency), TRUE) AND coalesce(isfinite(c.recency), TRUE)
        AND coalesce(isfinite(c.t), TRUE) AND coalesce(isfinite(c.expected_purchases), TRUE))
        OR c.frequency < 0 OR c.recency < 0 OR c.t < 0 OR c.recency > c.t
        OR c.expected_purchases < 0
        THEN 'history out of range: frequency, recency, T, expected_purchases must be finite'
            || ' and >= 0, and recency <= T'
    WHEN NOT coalesce(c.p_alive BETWEEN 0 AND 1, TRUE) THEN 'p_alive not in [0, 1]'
    WHEN NOT coalesce(c.churn_risk BETWEEN 0 AND 1, TRUE) THEN 'churn_risk not in [0, 1]'
    WHEN NOT (coalesce(isfinite(c.monetary) AND abs(c.monetary) <= $max_amount, TRUE)
        AND coalesce(isfinite(c.clv) AND abs(c.clv) <= $max_amount, TRUE)
        AND coalesce(isfinite(c.revenue) AND abs(c.revenue) <= $max_amount, TRUE))
        THEN 'a score is not finite or out of range'
    WHEN NOT EXISTS (SELECT 1 FROM customers AS k WHERE k.customer_id = c.customer_id)
        AND NOT EXISTS (SELECT 1 FROM transactions AS k WHERE k.customer_id = c.customer_id)
        THEN 'customer unknown to the workspace'
END AS reason
FROM clean AS c
