-- Campaigns: explicit audiences, suppression lists, build exclusions, measured outcomes and the
-- response rates learned from them (the closed loop). campaigns, assignments and contacts are
-- in 0001_core.sql.

-- an explicit audience (a list of customer ids) for a campaign; rule audiences live in the
-- campaign definition and are resolved at build
CREATE TABLE IF NOT EXISTS campaign_audiences (
    campaign_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL
);

-- customers who must not be contacted; channel NULL = on every channel
CREATE TABLE IF NOT EXISTS suppressions (
    customer_id VARCHAR NOT NULL,
    channel     VARCHAR,
    reason      VARCHAR,
    added_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- audience members left out at build (before randomization) and at export, with the reason
CREATE TABLE IF NOT EXISTS campaign_exclusions (
    campaign_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    stage       VARCHAR NOT NULL,             -- build or export
    reason      VARCHAR NOT NULL
);

-- key: (campaign_id, customer_id); replaced by each measurement
CREATE TABLE IF NOT EXISTS campaign_outcomes (
    campaign_id  VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL,
    arm          VARCHAR NOT NULL,
    stratum      VARCHAR,
    contacted    BOOLEAN NOT NULL,
    window_start TIMESTAMP NOT NULL,
    window_end   TIMESTAMP NOT NULL,
    orders       INTEGER NOT NULL,
    converted    BOOLEAN NOT NULL,
    revenue      DOUBLE NOT NULL,             -- net of refunds in the window
    visits       INTEGER NOT NULL,            -- behavioural events in the window
    run_id       VARCHAR
);

-- measured response per campaign, offer, arm and segment: the priors of the decision step
CREATE TABLE IF NOT EXISTS response_priors (
    campaign_id       VARCHAR NOT NULL,
    offer_id          VARCHAR,
    channel           VARCHAR,
    arm               VARCHAR NOT NULL,
    segment           VARCHAR NOT NULL,       -- 'all' or a stratum
    metric            VARCHAR NOT NULL,       -- conversion, revenue
    n_treatment       BIGINT NOT NULL,
    n_control         BIGINT NOT NULL,
    treatment_rate    DOUBLE,
    control_rate      DOUBLE,
    lift              DOUBLE,
    lift_lower        DOUBLE,
    lift_upper        DOUBLE,
    p_value           DOUBLE,
    run_id            VARCHAR,
    measured_at       TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- per-customer uplift scores of a fitted uplift model
CREATE TABLE IF NOT EXISTS uplift_scores (
    run_id      VARCHAR NOT NULL,
    campaign_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    arm         VARCHAR NOT NULL,             -- the treatment the uplift is for
    uplift      DOUBLE NOT NULL,
    p_control   DOUBLE,
    p_treatment DOUBLE,
    category    VARCHAR NOT NULL              -- persuadable, sure_thing, lost_cause, do_not_disturb
);
