-- When identify/alias shows two customer ids are one person, the later id is merged into the
-- earlier one; the merge is recorded so history under either id resolves to the survivor.
CREATE TABLE IF NOT EXISTS customer_merges (
    from_customer_id VARCHAR NOT NULL,
    into_customer_id VARCHAR NOT NULL,
    merged_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    reason           VARCHAR,
    load_id          VARCHAR
);
