-- Content hashes and ids that no longer depend on DuckDB's hash(), which changed between
-- versions (a reload after an upgrade would otherwise double every id-less row).
--
-- What the stored values determine exactly is recomputed here: event content hashes and the
-- ids of subscriptions without an id. Id-less transactions were keyed by the amount in their
-- source currency, which needs the exchange rates of cvm.toml: the next transactions load
-- re-keys them once (cvm.ingest.transactions.rekey_legacy) and clears the request below.

CREATE TABLE IF NOT EXISTS ingest_rekeys (
    table_name   VARCHAR PRIMARY KEY,
    requested_at TIMESTAMP NOT NULL,
    done_at      TIMESTAMP,
    rows_rekeyed BIGINT
);

INSERT INTO ingest_rekeys (table_name, requested_at)
SELECT 'transactions', now()::TIMESTAMP
WHERE EXISTS (SELECT 1 FROM transactions)
ON CONFLICT DO NOTHING;

UPDATE events
SET content_hash = CAST('0x' || left(sha256(concat_ws(chr(31), coalesce(type, chr(0)),
        coalesce(user_id, chr(0)), coalesce(anonymous_id, chr(0)),
        coalesce(previous_id, chr(0)), coalesce(strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ'), chr(0)),
        coalesce(event, chr(0)), coalesce(properties::VARCHAR, chr(0)))), 16) AS UBIGINT)
WHERE content_hash IS NOT NULL;

UPDATE subscriptions
SET subscription_id = 'sha-' || left(sha256(concat_ws(chr(31), customer_id,
        coalesce(plan, chr(0)), strftime(started, '%Y-%m-%dT%H:%M:%S.%fZ'))), 32)
WHERE regexp_full_match(subscription_id, 'h[0-9]+');
