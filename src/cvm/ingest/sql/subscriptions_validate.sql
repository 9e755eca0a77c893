-- Type and check staged contracts (the staged input __input__): one row per subscription; `ended` empty
-- while the contract runs. Amounts convert to the workspace currency like transactions.
CREATE OR REPLACE TEMP TABLE __rows__ AS
WITH parsed AS (
    SELECT
        _seq, _rec, _line, _raw,
        _cvm_text(subscription_id) AS src_id,
        _cvm_text(customer_id) AS customer_id,
        _cvm_text(plan) AS plan,
        _cvm_text(started_text) AS started_text,
        _cvm_ts(started_text, started_naive, started_utc, $tz, $use_fmt, $fmt, $fmt_has_tz)
            AS started,
        _cvm_text(ended_text) AS ended_text,
        _cvm_ts(ended_text, ended_naive, ended_utc, $tz, $use_fmt, $fmt, $fmt_has_tz) AS ended,
        _cvm_num(monthly_amount_text, monthly_amount_num) AS monthly_amount,
        _cvm_text(monthly_amount_text) AS amount_text
    FROM __input__ AS staged
),
typed AS (
    SELECT p.*, r.rate, r.digits
    FROM parsed AS p
    LEFT JOIN _cvm_rates AS r ON r.currency = upper($currency)
)
SELECT
    _seq,
    _rec,
    _line,
    _raw,
    coalesce(
        src_id,
        'sha-' || left(sha256(concat_ws(chr(31), customer_id, coalesce(plan, chr(0)),
            strftime(started, '%Y-%m-%dT%H:%M:%S.%fZ'))), 32)
    ) AS subscription_id,
    customer_id,
    plan,
    started,
    ended,
    round(monthly_amount * rate, digits) AS monthly_amount, -- at the currency's minor units
    hash(customer_id, plan, started, ended, monthly_amount * rate) AS content_hash,
    CASE
        WHEN customer_id IS NULL THEN 'missing customer id'
        WHEN started IS NULL AND started_text IS NULL THEN 'missing start date'
        WHEN started IS NULL AND _cvm_bad_offset(started_text)
            THEN 'impossible UTC offset: ' || started_text
        WHEN started IS NULL
            THEN 'unparseable timestamp: ' || started_text || ' (expected ' || $fmt_label || ')'
        WHEN ended IS NULL AND _cvm_bad_offset(ended_text)
            THEN 'impossible UTC offset: ' || ended_text
        WHEN ended IS NULL AND ended_text IS NOT NULL
            THEN 'unparseable timestamp: ' || ended_text || ' (expected ' || $fmt_label || ')'
        WHEN _cvm_ts_reason(started, started_text) IS NOT NULL
            THEN _cvm_ts_reason(started, started_text)
        WHEN ended < _cvm_floor() THEN _cvm_ts_reason(ended, ended_text)
        WHEN ended < started THEN 'ended before started'
        WHEN monthly_amount IS NULL AND amount_text IS NOT NULL
            THEN 'non-numeric amount: ' || amount_text
        WHEN _cvm_num_reason('amount', monthly_amount, amount_text, 0, _cvm_max_amount())
            IS NOT NULL AND monthly_amount < 0 AND isfinite(monthly_amount)
            THEN 'negative amount: ' || amount_text
        WHEN _cvm_num_reason('amount', monthly_amount, amount_text, 0, _cvm_max_amount())
            IS NOT NULL
            THEN _cvm_num_reason('amount', monthly_amount, amount_text, 0, _cvm_max_amount())
        WHEN monthly_amount IS NOT NULL AND rate IS NULL THEN 'unknown currency: ' || $currency
        WHEN monthly_amount * rate > _cvm_max_amount()
            THEN 'amount out of range once converted: ' || amount_text || ' ' || $currency
    END AS reason
FROM typed;
