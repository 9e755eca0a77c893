-- Real-time decisions (POST /v1/decisions): every answer, held out or not, with what it would
-- have offered, and the responses reported for it. Each offer's real-time decisions are also a
-- campaign (campaign_id 'rt.<offer_id>', status 'live'): the first decision per customer is its
-- assignment (control when held out), each offer made a contact, so `cvm campaign measure`
-- measures them like any campaign.

-- key: decision_id
CREATE TABLE IF NOT EXISTS decisions (
    decision_id  VARCHAR NOT NULL,
    ts           TIMESTAMP NOT NULL,
    customer_id  VARCHAR NOT NULL,
    anonymous_id VARCHAR,
    channel      VARCHAR NOT NULL,
    placement    VARCHAR,
    arm          VARCHAR NOT NULL,            -- treatment (offered), control (held out), none
    offer_id     VARCHAR,                     -- offered, or what a held-out customer would get
    campaign_id  VARCHAR,                     -- rt.<offer_id>
    score        DOUBLE,                      -- the arbitration score of the offer
    ev           DOUBLE,                      -- expected incremental value (lift x value - cost)
    lift         DOUBLE,                      -- the lift used (drawn when explored)
    cost         DOUBLE,
    explored     BOOLEAN NOT NULL,            -- chosen by a posterior draw, not the mean
    reason       VARCHAR NOT NULL,
    context      JSON
);

-- key: (decision_id, ts); a response reported for a decision
CREATE TABLE IF NOT EXISTS decision_outcomes (
    decision_id    VARCHAR NOT NULL,
    customer_id    VARCHAR NOT NULL,
    ts             TIMESTAMP NOT NULL,
    converted      BOOLEAN NOT NULL,
    revenue        DOUBLE,
    transaction_id VARCHAR                    -- the order recorded for it, when a purchase
);
