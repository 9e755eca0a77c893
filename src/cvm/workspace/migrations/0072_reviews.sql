-- Public reviews (Trustpilot, Google Play, the App Store) with their text, kept for later
-- analysis. Each review's stars also enter survey_responses as a CSAT answer (1-5).

-- key: (source, review_id)
CREATE TABLE IF NOT EXISTS reviews (
    source       VARCHAR NOT NULL,            -- trustpilot, google_play, app_store
    review_id    VARCHAR NOT NULL,
    customer_id  VARCHAR,                     -- when the reviewer is a known customer
    reviewer     VARCHAR,                     -- e-mail, reference or nickname as exported
    ts           TIMESTAMP,                   -- UTC
    brand        VARCHAR NOT NULL,            -- the business or app reviewed
    stars        INTEGER NOT NULL,            -- 1..5
    title        VARCHAR,
    body         VARCHAR,
    language     VARCHAR,
    reply        VARCHAR,
    load_id      VARCHAR
);
