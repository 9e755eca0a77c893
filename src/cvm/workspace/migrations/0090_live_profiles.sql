-- Live profiles: each customer's 360 profile with scores, lifecycle stage and the rule
-- segments that read only the profile, refreshed by the service as the customer's events are
-- committed (cvm.segments.live), so that a read is one indexed lookup. `profile` is the whole
-- answer of GET /v1/profiles/{id}; the score columns beside it are for SQL users.
-- No primary key: an identity merge repoints customer_id in every table in one statement, and
-- must not fail on a key; the survivor's refresh leaves it one row again (readers take the
-- newest).
CREATE TABLE IF NOT EXISTS live_profiles (
    customer_id        VARCHAR NOT NULL,
    as_of              DATE NOT NULL,         -- the day the profile describes
    clv_run_id         VARCHAR,               -- the run whose parameters scored it; NULL: none
    model              VARCHAR,
    frequency          DOUBLE,                -- in the run's time unit, as in scores
    recency            DOUBLE,
    t                  DOUBLE,
    monetary           DOUBLE,
    expected_purchases DOUBLE,
    p_alive            DOUBLE,
    expected_spend     DOUBLE,
    clv                DOUBLE,
    spend_imputed      BOOLEAN,
    lifecycle          VARCHAR,
    segments           VARCHAR[],
    updated_at         TIMESTAMP NOT NULL,
    profile            JSON NOT NULL
);
CREATE INDEX IF NOT EXISTS live_profiles_customer ON live_profiles (customer_id);
