-- Type and check every staged transaction row (view _cvm_tx_in); one reason per bad row.
-- $tz: zone of naive timestamps; $use_fmt/$fmt/$fmt_has_tz: the configured date format;
-- $fmt_label: the format named in reasons; $currency: source currency when a row has none.
CREATE OR REPLACE TEMP TABLE _cvm_tx_rows AS
WITH parsed AS (
    SELECT
        _seq,
        _rec,
        _line,
        _raw,
        nullif(trim(transaction_id), '') AS src_id,
        nullif(trim(customer_id), '') AS customer_id,
        nullif(trim(ts_text), '') AS ts_text,
        coalesce(
            ts_utc,
            timezone($tz, ts_naive)::TIMESTAMP,
            CASE
                WHEN $use_fmt AND $fmt_has_tz
                    THEN try_strptime(trim(ts_text), $fmt)::TIMESTAMPTZ::TIMESTAMP
                WHEN $use_fmt
                    THEN timezone($tz, try_strptime(trim(ts_text), $fmt)::TIMESTAMP)::TIMESTAMP
                WHEN length(trim(ts_text)) > 10
                    AND regexp_matches(trim(ts_text), '(Z|[+-]\d\d(:?\d\d)?)$')
                    THEN try_cast(trim(ts_text) AS TIMESTAMPTZ)::TIMESTAMP
                ELSE timezone($tz, try_cast(trim(ts_text) AS TIMESTAMP))::TIMESTAMP
            END
        ) AS ts,
        nullif(trim(amount_text), '') AS amount_text,
        coalesce(amount_num, try_cast(trim(amount_text) AS DOUBLE)) AS amount_src,
        upper(coalesce(nullif(trim(currency), ''), $currency)) AS currency,
        nullif(trim(channel), '') AS channel,
        coalesce(lower(trim(is_refund)) IN ('true', 't', 'yes', 'y', '1', 'refund'), FALSE)
            AS flagged_refund,
        nullif(trim(refund_of), '') AS refund_of
    FROM _cvm_tx_in
),
typed AS (
    SELECT
        p.*,
        r.rate,
        p.flagged_refund OR p.amount_src < 0 AS is_refund,
        CASE WHEN p.flagged_refund OR p.amount_src < 0 THEN -abs(p.amount_src)
            ELSE p.amount_src END AS signed_amount
    FROM parsed AS p
    LEFT JOIN _cvm_rates AS r ON r.currency = p.currency
)
SELECT
    _seq,
    _rec,
    _line,
    _raw,
    coalesce(src_id, 'h' || hash(customer_id, ts, signed_amount, currency)::VARCHAR)
        AS transaction_id,
    customer_id,
    ts,
    signed_amount * rate AS amount,
    currency,
    channel,
    is_refund,
    refund_of,
    hash(customer_id, ts, signed_amount, currency) AS content_hash,
    CASE
        WHEN customer_id IS NULL THEN 'missing customer id'
        WHEN ts IS NULL AND ts_text IS NULL THEN 'missing timestamp'
        WHEN ts IS NULL THEN 'unparseable timestamp: ' || ts_text || ' (expected ' || $fmt_label || ')'
        WHEN ts > (now() + INTERVAL 1 DAY)::TIMESTAMP
            THEN 'far-future timestamp: ' || strftime(ts, '%Y-%m-%d %H:%M:%S')
        WHEN amount_text IS NULL AND amount_src IS NULL THEN 'missing amount'
        WHEN amount_src IS NULL OR NOT isfinite(amount_src)
            THEN 'non-numeric amount: ' || amount_text
        WHEN rate IS NULL THEN 'unknown currency: ' || currency
    END AS reason
FROM typed;
