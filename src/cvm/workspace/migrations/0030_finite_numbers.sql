-- Every stored number finite and in range (cvm._limits), as CHECK constraints: the last line of
-- defence behind the loaders' checks. DuckDB cannot add a CHECK to an existing table, so each
-- table is rebuilt: new table with the constraints, rows copied, old table dropped, new renamed
-- (these tables have no indexes or keys to carry over). Rows an older cvm let in that break a
-- constraint are not lost: they move to rejected_rows (kind = the table, source 'upgrade').

-- The rebuild copies the columns named below: a column some other migration added first would
-- be lost, so stop loudly instead (the copy lists then need that column).
SELECT CASE WHEN count(*) <> 0 THEN error(
        'migration 0030: unexpected columns ' || string_agg(table_name || '.' || column_name, ', ')
        || ': the rebuild of these tables must copy them') END
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND (
    (table_name = 'transactions' AND column_name NOT IN ('transaction_id', 'customer_id', 'ts',
        'amount', 'currency', 'channel', 'is_refund', 'refund_of', 'content_hash', 'load_id'))
    OR (table_name = 'order_items' AND column_name NOT IN ('transaction_id', 'line_no',
        'product_id', 'category', 'quantity', 'amount', 'content_hash', 'load_id'))
    OR (table_name = 'subscriptions' AND column_name NOT IN ('subscription_id', 'customer_id',
        'plan', 'started', 'ended', 'monthly_amount', 'load_id'))
    OR (table_name = 'survey_responses' AND column_name NOT IN ('survey_id', 'respondent_id',
        'customer_id', 'ts', 'brand', 'attribute', 'score', 'importance', 'load_id'))
);

-- Rows that would break the constraints, kept as JSON in rejected_rows
INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
SELECT coalesce(load_id, 'upgrade-0030'), 'transactions', 'upgrade', NULL, to_json(t)::VARCHAR,
    'non-finite or out-of-range number removed by the upgrade to checked numbers'
FROM transactions AS t
WHERE NOT (isfinite(amount) AND abs(amount) <= 1e12 AND isfinite(ts));

INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
SELECT coalesce(load_id, 'upgrade-0030'), 'order_items', 'upgrade', NULL, to_json(t)::VARCHAR,
    'non-finite or out-of-range number removed by the upgrade to checked numbers'
FROM order_items AS t
WHERE NOT (isfinite(quantity) AND quantity BETWEEN 0 AND 1e6
    AND isfinite(amount) AND abs(amount) <= 1e12);

INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
SELECT coalesce(load_id, 'upgrade-0030'), 'subscriptions', 'upgrade', NULL, to_json(t)::VARCHAR,
    'non-finite or out-of-range number removed by the upgrade to checked numbers'
FROM subscriptions AS t
WHERE NOT coalesce(isfinite(monthly_amount) AND monthly_amount BETWEEN 0 AND 1e12, TRUE)
    OR NOT isfinite(started) OR NOT coalesce(isfinite(ended), TRUE);

INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
SELECT coalesce(load_id, 'upgrade-0030'), 'surveys', 'upgrade', NULL, to_json(t)::VARCHAR,
    'non-finite or out-of-range number removed by the upgrade to checked numbers'
FROM survey_responses AS t
WHERE NOT (isfinite(score) AND abs(score) <= 1e6)
    OR NOT coalesce(isfinite(importance) AND abs(importance) <= 1e6, TRUE);

-- transactions
CREATE TABLE transactions_checked (
    transaction_id VARCHAR NOT NULL,
    customer_id    VARCHAR NOT NULL,
    ts             TIMESTAMP NOT NULL CHECK (isfinite(ts)),
    amount         DOUBLE NOT NULL CHECK (isfinite(amount) AND abs(amount) <= 1e12),
    currency       VARCHAR,
    channel        VARCHAR,
    is_refund      BOOLEAN NOT NULL DEFAULT FALSE,
    refund_of      VARCHAR,
    content_hash   UBIGINT,
    load_id        VARCHAR
);
INSERT INTO transactions_checked
SELECT transaction_id, customer_id, ts, amount, currency, channel, is_refund, refund_of,
    content_hash, load_id
FROM transactions
WHERE isfinite(amount) AND abs(amount) <= 1e12 AND isfinite(ts);
DROP TABLE transactions;
ALTER TABLE transactions_checked RENAME TO transactions;

-- order_items
CREATE TABLE order_items_checked (
    transaction_id VARCHAR NOT NULL,
    line_no        INTEGER NOT NULL,
    product_id     VARCHAR NOT NULL,
    category       VARCHAR,
    quantity       DOUBLE NOT NULL CHECK (isfinite(quantity) AND quantity BETWEEN 0 AND 1e6),
    amount         DOUBLE NOT NULL CHECK (isfinite(amount) AND abs(amount) <= 1e12),
    content_hash   UBIGINT,
    load_id        VARCHAR
);
INSERT INTO order_items_checked
SELECT transaction_id, line_no, product_id, category, quantity, amount, content_hash, load_id
FROM order_items
WHERE isfinite(quantity) AND quantity BETWEEN 0 AND 1e6
    AND isfinite(amount) AND abs(amount) <= 1e12;
DROP TABLE order_items;
ALTER TABLE order_items_checked RENAME TO order_items;

-- subscriptions
CREATE TABLE subscriptions_checked (
    subscription_id VARCHAR NOT NULL,
    customer_id     VARCHAR NOT NULL,
    plan            VARCHAR,
    started         TIMESTAMP NOT NULL CHECK (isfinite(started)),
    ended           TIMESTAMP CHECK (ended IS NULL OR isfinite(ended)),
    monthly_amount  DOUBLE CHECK (
        monthly_amount IS NULL OR (isfinite(monthly_amount) AND monthly_amount BETWEEN 0 AND 1e12)
    ),
    load_id         VARCHAR
);
INSERT INTO subscriptions_checked
SELECT subscription_id, customer_id, plan, started, ended, monthly_amount, load_id
FROM subscriptions
WHERE coalesce(isfinite(monthly_amount) AND monthly_amount BETWEEN 0 AND 1e12, TRUE)
    AND isfinite(started) AND coalesce(isfinite(ended), TRUE);
DROP TABLE subscriptions;
ALTER TABLE subscriptions_checked RENAME TO subscriptions;

-- survey_responses
CREATE TABLE survey_responses_checked (
    survey_id     VARCHAR,
    respondent_id VARCHAR NOT NULL,
    customer_id   VARCHAR,
    ts            TIMESTAMP,
    brand         VARCHAR NOT NULL,
    attribute     VARCHAR NOT NULL,
    score         DOUBLE NOT NULL CHECK (isfinite(score) AND abs(score) <= 1e6),
    importance    DOUBLE CHECK (
        importance IS NULL OR (isfinite(importance) AND abs(importance) <= 1e6)
    ),
    load_id       VARCHAR
);
INSERT INTO survey_responses_checked
SELECT survey_id, respondent_id, customer_id, ts, brand, attribute, score, importance, load_id
FROM survey_responses
WHERE isfinite(score) AND abs(score) <= 1e6
    AND coalesce(isfinite(importance) AND abs(importance) <= 1e6, TRUE);
DROP TABLE survey_responses;
ALTER TABLE survey_responses_checked RENAME TO survey_responses;
