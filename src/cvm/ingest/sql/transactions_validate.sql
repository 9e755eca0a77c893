-- Type and check every staged transaction row (the staged input __input__); one reason per bad row.
-- $tz: zone of naive timestamps; $use_fmt/$fmt/$fmt_has_tz: the configured date format;
-- $fmt_label: the format named in reasons; $currency: source currency when a row has none.
CREATE OR REPLACE TEMP TABLE __rows__ AS
WITH parsed AS (
    SELECT
        _seq, _rec, _line, _raw,
        _cvm_text(transaction_id) AS src_id,
        _cvm_text(customer_id) AS customer_id,
        _cvm_text(ts_text) AS ts_text,
        _cvm_ts(ts_text, ts_naive, ts_utc, $tz, $use_fmt, $fmt, $fmt_has_tz) AS ts,
        _cvm_text(amount_text) AS amount_text,
        _cvm_num(amount_text, amount_num) AS amount_src,
        upper(coalesce(_cvm_text(currency), $currency)) AS currency,
        _cvm_text(channel) AS channel,
        coalesce(_cvm_flag(is_refund), lower(_cvm_text(is_refund)) = 'refund')
            AS flagged_refund,
        _cvm_text(refund_of) AS refund_of
    FROM __input__ AS staged
),
signed AS (
    SELECT
        p.*,
        r.rate,
        r.digits,
        p.flagged_refund OR p.amount_src < 0 AS is_refund,
        CASE WHEN p.flagged_refund OR p.amount_src < 0 THEN -abs(p.amount_src)
            ELSE p.amount_src END AS signed_amount
    FROM parsed AS p
    LEFT JOIN _cvm_rates AS r ON r.currency = p.currency
),
typed AS (
    -- The content key (README, "Rows without an order id"); ids of id-less rows are given
    -- afterwards (transactions_content_ids.sql), only when the load has such rows.
    SELECT *, _cvm_content_key(customer_id, ts, signed_amount, currency) AS content_key
    FROM signed
)
SELECT
    _seq,
    _rec,
    _line,
    _raw,
    src_id AS transaction_id,
    signed_amount,
    customer_id,
    ts,
    round(signed_amount * rate, digits) AS amount, -- at the currency's minor units
    currency,
    channel,
    is_refund,
    refund_of,
    _cvm_content_hash(content_key) AS content_hash,
    CASE
        WHEN customer_id IS NULL THEN 'missing customer id'
        WHEN ts IS NULL AND ts_text IS NULL THEN 'missing timestamp'
        WHEN ts IS NULL AND _cvm_bad_offset(ts_text) THEN 'impossible UTC offset: ' || ts_text
        WHEN ts IS NULL THEN 'unparseable timestamp: ' || ts_text || ' (expected ' || $fmt_label || ')'
        WHEN _cvm_ts_reason(ts, ts_text) IS NOT NULL THEN _cvm_ts_reason(ts, ts_text)
        WHEN amount_text IS NULL AND amount_src IS NULL THEN 'missing amount'
        WHEN amount_src IS NULL THEN 'non-numeric amount: ' || amount_text
        WHEN _cvm_num_reason('amount', amount_src, amount_text, -_cvm_max_amount(),
            _cvm_max_amount()) IS NOT NULL
            THEN _cvm_num_reason('amount', amount_src, amount_text, -_cvm_max_amount(),
                _cvm_max_amount())
        WHEN rate IS NULL THEN 'unknown currency: ' || currency
        WHEN abs(signed_amount * rate) > _cvm_max_amount()
            THEN 'amount out of range once converted: ' || coalesce(amount_text, amount_src::VARCHAR)
                || ' ' || currency
    END AS reason
FROM typed;
