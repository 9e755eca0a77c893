-- The segment table of a run on an engine with churn folded in, as add_churn.sql does on the
-- workspace, without DuckDB's `* REPLACE` and UPDATE (Spark has neither). __columns__ are
-- customer_segments' columns but the churn ones; churn_scores holds the scored buyers
-- (customer_id, churn_risk, reason_1..; no rows without a model), __reasons__ its reasons.
CREATE OR REPLACE TEMP TABLE segment_rows AS
SELECT __columns__,
       c.churn_risk AS churn_risk,
       CASE WHEN c.churn_risk IS NOT NULL
            THEN list_filter([__reasons__], lambda x: x IS NOT NULL)
       END AS churn_reasons
FROM customer_segments AS s
LEFT JOIN churn_scores AS c ON c.customer_id = s.customer_id
