-- Parsing helpers shared by the validators (temporary macros, expanded inline).
-- _cvm_text: NULL for empty text; trims only text that has outer spaces (trim is costly).
CREATE OR REPLACE TEMP MACRO _cvm_text(x) AS
    nullif(CASE WHEN starts_with(x, ' ') OR ends_with(x, ' ') THEN trim(x) ELSE x END, '');

-- _cvm_local: a wall-clock time in zone tz as a UTC timestamp.
CREATE OR REPLACE TEMP MACRO _cvm_local(tz, x) AS
    CASE WHEN tz = 'UTC' THEN x ELSE timezone(tz, x)::TIMESTAMP END;

-- _cvm_bad_offset: text ending in a UTC offset no place has (beyond +-14:00, or minutes > 59).
CREATE OR REPLACE TEMP MACRO _cvm_bad_offset(t) AS coalesce(
    try_cast(regexp_extract(t, '\d:\d\d(?::\d\d(?:\.\d+)?)?\s*[+-](\d\d):?(\d\d)?$', 1) AS INTEGER)
        > 14
    OR try_cast(regexp_extract(t, '\d:\d\d(?::\d\d(?:\.\d+)?)?\s*[+-](\d\d):?(\d\d)?$', 2) AS INTEGER)
        > 59,
    FALSE
);

-- _cvm_ts: a UTC timestamp from text (a format, or ISO 8601 with an offset, Z, or a zone name
-- or abbreviation after a space: 'CET', 'Europe/Paris', 'UTC'; text without one is in tz), from
-- a naive timestamp (in tz) or from an instant. An impossible offset gives NULL.
CREATE OR REPLACE TEMP MACRO _cvm_ts(txt, naive, utc, tz, use_fmt, fmt, fmt_has_tz) AS
    coalesce(
        utc,
        _cvm_local(tz, naive),
        CASE
            WHEN use_fmt AND fmt_has_tz
                THEN try_strptime(_cvm_text(txt), fmt)::TIMESTAMPTZ::TIMESTAMP
            WHEN use_fmt THEN _cvm_local(tz, try_strptime(_cvm_text(txt), fmt)::TIMESTAMP)
            WHEN length(_cvm_text(txt)) > 10 AND regexp_matches(_cvm_text(txt),
                '(Z|z|[+-]\d\d(:?\d\d)?|\s[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*)$')
                AND _cvm_bad_offset(_cvm_text(txt)) THEN NULL
            WHEN length(_cvm_text(txt)) > 10 AND regexp_matches(_cvm_text(txt),
                '(Z|z|[+-]\d\d(:?\d\d)?|\s[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*)$')
                -- seconds added to 'HH:MM' before an offset, which DuckDB before 2.0 refuses
                THEN try_cast(regexp_replace(_cvm_text(txt),
                    '([T ]\d\d:\d\d)(Z|z|[+-]\d\d(:?\d\d)?)$', '\1:00\2') AS TIMESTAMPTZ)::TIMESTAMP
            ELSE _cvm_local(tz, try_cast(_cvm_text(txt) AS TIMESTAMP))
        END
    );

-- _cvm_num: a number from text or an already numeric value.
CREATE OR REPLACE TEMP MACRO _cvm_num(txt, num) AS
    coalesce(num, try_cast(_cvm_text(txt) AS DOUBLE));

-- _cvm_flag: yes/no/true/false/1/0 (and y/n/t/f); NULL for anything else, FALSE when empty.
CREATE OR REPLACE TEMP MACRO _cvm_flag(x) AS
    CASE
        WHEN lower(_cvm_text(x)) IN ('yes', 'y', 'true', 't', '1') THEN TRUE
        WHEN _cvm_text(x) IS NULL OR lower(_cvm_text(x)) IN ('no', 'n', 'false', 'f', '0')
            THEN FALSE
    END;

-- The sane ranges of cvm._limits (table _cvm_limits, written with bound values per load).
CREATE OR REPLACE TEMP MACRO _cvm_floor() AS (SELECT ts_floor FROM _cvm_limits);

-- _cvm_ts_reason: why a parsed timestamp is refused (NULL when it is fine): before the floor,
-- or more than a day in the future. (An impossible offset leaves no parsed timestamp.)
CREATE OR REPLACE TEMP MACRO _cvm_ts_reason(ts, txt) AS
    CASE
        WHEN ts < _cvm_floor() THEN 'timestamp before ' || strftime(_cvm_floor(), '%Y-%m-%d')
            || ': ' || strftime(ts, '%Y-%m-%d %H:%M:%S')
        WHEN ts > (now() + INTERVAL 1 DAY)::TIMESTAMP
            THEN 'far-future timestamp: ' || strftime(ts, '%Y-%m-%d %H:%M:%S')
    END;

-- _cvm_num_reason: why a number is refused (NULL when it is fine): not finite, or outside
-- [lo, hi]. label names the column in the reason; txt is the number as the source wrote it.
CREATE OR REPLACE TEMP MACRO _cvm_num_reason(label, val, txt, lo, hi) AS
    CASE
        WHEN val IS NULL THEN NULL
        WHEN NOT isfinite(val)
            THEN 'non-finite ' || label || ': ' || coalesce(_cvm_text(txt), val::VARCHAR)
        WHEN val < lo OR val > hi
            THEN label || ' out of range: ' || coalesce(_cvm_text(txt), val::VARCHAR)
                || ' (expected ' || printf('%g', lo::DOUBLE) || '..' || printf('%g', hi::DOUBLE) || ')'
    END;

CREATE OR REPLACE TEMP MACRO _cvm_max_amount() AS (SELECT max_amount FROM _cvm_limits);
CREATE OR REPLACE TEMP MACRO _cvm_max_quantity() AS (SELECT max_quantity FROM _cvm_limits);
CREATE OR REPLACE TEMP MACRO _cvm_max_score() AS (SELECT max_score FROM _cvm_limits);

-- Stable content hashes (the same in every DuckDB version, unlike hash()): MD5 of a canonical
-- text joined by the unit separator chr(31) (integers only: cheap to build, no formatting
-- rules). _cvm_content_key: the text of a transaction (customer, UTC microseconds since 1970,
-- amount in millionths of the source currency, currency); _cvm_content_hash: its first 64
-- bits; _cvm_content_id: the id of an id-less row, 'md5-' and the MD5 of the key and the row's
-- occurrence number among identical id-less rows.
CREATE OR REPLACE TEMP MACRO _cvm_content_key(customer_id, ts, amount, currency) AS
    concat_ws(chr(31), customer_id, CAST(epoch_us(ts) AS VARCHAR),
        CAST(try_cast(round(amount * 1e6) AS BIGINT) AS VARCHAR), currency);
CREATE OR REPLACE TEMP MACRO _cvm_content_hash(key) AS
    CAST('0x' || left(md5(key), 16) AS UBIGINT);
CREATE OR REPLACE TEMP MACRO _cvm_content_id(key, occurrence) AS
    'md5-' || md5(key || chr(31) || CAST(occurrence AS VARCHAR));

-- _cvm_insert_status: the status of a valid row of an insert-only kind. Against the stored row
-- of its key: 'duplicate' with the same content, 'conflict' with other content; with none
-- stored, 'load' for the key's first row in this load, then 'duplicate' for a later row with
-- the first row's content and 'conflict' for one with other content.
CREATE OR REPLACE TEMP MACRO _cvm_insert_status(same_as_stored, stored, is_first, same_as_first) AS
    CASE
        WHEN same_as_stored THEN 'duplicate'
        WHEN stored THEN 'conflict'
        WHEN is_first THEN 'load'
        WHEN same_as_first THEN 'duplicate'
        ELSE 'conflict'
    END;
