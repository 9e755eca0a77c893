-- Fold the churn scores (churn_scored_frame: customer_id, risk, reason_1..) into the segment
-- table; __reasons__ are the frame's reason columns (NULL without any).
CREATE OR REPLACE TEMP TABLE customer_segments AS
SELECT s.* REPLACE (coalesce(c.risk, s.churn_risk) AS churn_risk),
       list_filter([__reasons__], lambda x: x IS NOT NULL) AS churn_reasons
FROM customer_segments AS s
LEFT JOIN churn_scored_frame AS c USING (customer_id)
