-- The canonical tables of the data contract (DESIGN.md). No primary-key indexes on the large
-- tables: ingest deduplicates by anti-join on the natural key, which is faster in bulk and keeps
-- memory flat; keys are documented here and enforced by the loaders.

CREATE TABLE IF NOT EXISTS loads (
    load_id        VARCHAR PRIMARY KEY,
    kind           VARCHAR NOT NULL,          -- transactions, order_items, customers, events, ...
    source         VARCHAR NOT NULL,          -- file path or stream name
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP,
    rows_read      BIGINT,
    rows_loaded    BIGINT,
    rows_duplicate BIGINT,
    rows_rejected  BIGINT
);

CREATE TABLE IF NOT EXISTS rejected_rows (
    load_id     VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,             -- file the row came from
    line        BIGINT,                       -- 1-based line in the file (header is line 1)
    raw         VARCHAR,                      -- the row as read
    reason      VARCHAR NOT NULL,
    rejected_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- key: customer_id
CREATE TABLE IF NOT EXISTS customers (
    customer_id   VARCHAR NOT NULL,
    first_seen    TIMESTAMP,
    email         VARCHAR,
    phone         VARCHAR,
    country       VARCHAR,
    acquisition_channel VARCHAR,
    consent_email BOOLEAN NOT NULL DEFAULT FALSE,
    consent_sms   BOOLEAN NOT NULL DEFAULT FALSE,
    consent_push  BOOLEAN NOT NULL DEFAULT FALSE,
    consent_mail  BOOLEAN NOT NULL DEFAULT FALSE,
    attributes    JSON,
    updated_at    TIMESTAMP,
    load_id       VARCHAR
);

-- key: (source, source_id); maps every known id of a person to one customer_id
CREATE TABLE IF NOT EXISTS identities (
    source       VARCHAR NOT NULL,            -- crm, email, anonymous, user, shopify, ...
    source_id    VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL,
    first_seen   TIMESTAMP,
    load_id      VARCHAR
);

-- key: transaction_id; negative amount = refund (refund_of names the order when known)
CREATE TABLE IF NOT EXISTS transactions (
    transaction_id VARCHAR NOT NULL,
    customer_id    VARCHAR NOT NULL,
    ts             TIMESTAMP NOT NULL,        -- UTC
    amount         DOUBLE NOT NULL,           -- in the workspace currency
    currency       VARCHAR,                   -- as in the source
    channel        VARCHAR,
    is_refund      BOOLEAN NOT NULL DEFAULT FALSE,
    refund_of      VARCHAR,
    content_hash   UBIGINT,
    load_id        VARCHAR
);

-- key: (transaction_id, line_no)
CREATE TABLE IF NOT EXISTS order_items (
    transaction_id VARCHAR NOT NULL,
    line_no        INTEGER NOT NULL,
    product_id     VARCHAR NOT NULL,
    category       VARCHAR,
    quantity       DOUBLE NOT NULL,
    amount         DOUBLE NOT NULL,
    content_hash   UBIGINT,
    load_id        VARCHAR
);

-- key: message_id; Segment spec (identify, track, page, alias)
CREATE TABLE IF NOT EXISTS events (
    message_id   VARCHAR NOT NULL,
    type         VARCHAR NOT NULL,
    customer_id  VARCHAR,
    user_id      VARCHAR,
    anonymous_id VARCHAR,
    ts           TIMESTAMP NOT NULL,
    event        VARCHAR,
    properties   JSON,
    load_id      VARCHAR
);

-- key: subscription_id
CREATE TABLE IF NOT EXISTS subscriptions (
    subscription_id VARCHAR NOT NULL,
    customer_id     VARCHAR NOT NULL,
    plan            VARCHAR,
    started         TIMESTAMP NOT NULL,
    ended           TIMESTAMP,                -- NULL while active
    monthly_amount  DOUBLE,
    load_id         VARCHAR
);

-- key: (respondent_id, brand, attribute)
CREATE TABLE IF NOT EXISTS survey_responses (
    survey_id     VARCHAR,
    respondent_id VARCHAR NOT NULL,
    customer_id   VARCHAR,
    ts            TIMESTAMP,
    brand         VARCHAR NOT NULL,
    attribute     VARCHAR NOT NULL,           -- a quality attribute, 'price', 'nps' or 'csat'
    score         DOUBLE NOT NULL,
    importance    DOUBLE,
    load_id       VARCHAR
);

-- key: offer_id
CREATE TABLE IF NOT EXISTS offers (
    offer_id    VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,
    channel     VARCHAR NOT NULL,
    cost        DOUBLE NOT NULL DEFAULT 0,
    eligibility VARCHAR,
    value_model VARCHAR,
    definition  JSON
);

CREATE TABLE IF NOT EXISTS campaigns (
    campaign_id      VARCHAR PRIMARY KEY,
    name             VARCHAR,
    offer_id         VARCHAR,
    channel          VARCHAR,
    audience         VARCHAR,
    starts           TIMESTAMP,
    ends             TIMESTAMP,
    response_days    INTEGER,
    control_fraction DOUBLE,
    status           VARCHAR NOT NULL DEFAULT 'draft',
    definition       JSON,
    created_at       TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- key: (campaign_id, customer_id)
CREATE TABLE IF NOT EXISTS assignments (
    campaign_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    arm         VARCHAR NOT NULL,             -- 'control' or a treatment name
    stratum     VARCHAR,
    assigned_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS contacts (
    campaign_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    channel     VARCHAR NOT NULL,
    ts          TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS model_runs (
    run_id     VARCHAR PRIMARY KEY,
    kind       VARCHAR NOT NULL,              -- clv, segments, churn, uplift, plan, ...
    model      VARCHAR,
    params     JSON,
    metrics    JSON,
    cutoff     TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- one row per customer per run; columns added by later migrations as scores grow
CREATE TABLE IF NOT EXISTS scores (
    run_id      VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    cutoff      TIMESTAMP,
    frequency          DOUBLE,
    recency            DOUBLE,
    t                  DOUBLE,
    monetary           DOUBLE,
    expected_purchases DOUBLE,
    p_alive            DOUBLE,
    expected_spend     DOUBLE,
    clv                DOUBLE,
    clv_lower          DOUBLE,
    clv_upper          DOUBLE
);
