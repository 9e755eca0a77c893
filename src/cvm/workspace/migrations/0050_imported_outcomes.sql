-- Results of a test that ran elsewhere, imported from one file (one row per customer): the
-- outcomes measured per customer, and the other columns of the file as covariates. The arm of
-- each customer is in assignments; the control arm's name in the campaign's definition.

-- key: (campaign_id, customer_id, outcome)
CREATE TABLE IF NOT EXISTS imported_outcomes (
    campaign_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    outcome     VARCHAR NOT NULL,             -- the column name in the imported file
    value       DOUBLE                        -- 0/1 for a yes/no outcome; NULL when blank
);

-- key: (campaign_id, customer_id); the file's remaining columns as a JSON object of text values
CREATE TABLE IF NOT EXISTS campaign_covariates (
    campaign_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    features    JSON
);
