-- Segments runs: the scores table gains each customer's RFM scores and segment, value tier,
-- lifecycle stage, churn risk and its reasons; rule-segment membership is one row per
-- (run, customer, segment).
ALTER TABLE scores ADD COLUMN IF NOT EXISTS revenue DOUBLE;
ALTER TABLE scores ADD COLUMN IF NOT EXISTS rfm VARCHAR;            -- e.g. '545' (R, F, M)
ALTER TABLE scores ADD COLUMN IF NOT EXISTS segment VARCHAR;        -- named RFM segment
ALTER TABLE scores ADD COLUMN IF NOT EXISTS tier VARCHAR;           -- value tier from CLV
ALTER TABLE scores ADD COLUMN IF NOT EXISTS lifecycle VARCHAR;      -- lifecycle stage
ALTER TABLE scores ADD COLUMN IF NOT EXISTS churn_risk DOUBLE;
ALTER TABLE scores ADD COLUMN IF NOT EXISTS churn_reasons VARCHAR[];

CREATE TABLE IF NOT EXISTS segment_members (
    run_id      VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    segment     VARCHAR NOT NULL              -- a rule segment of cvm.toml [segments.rules]
);
