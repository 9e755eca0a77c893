-- Parsing helpers shared by the validators (temporary macros, expanded inline).
-- _cvm_text: NULL for empty text; trims only text that has outer spaces (trim is costly).
CREATE OR REPLACE TEMP MACRO _cvm_text(x) AS
    nullif(CASE WHEN starts_with(x, ' ') OR ends_with(x, ' ') THEN trim(x) ELSE x END, '');

-- _cvm_local: a wall-clock time in zone tz as a UTC timestamp.
CREATE OR REPLACE TEMP MACRO _cvm_local(tz, x) AS
    CASE WHEN tz = 'UTC' THEN x ELSE timezone(tz, x)::TIMESTAMP END;

-- _cvm_ts: a UTC timestamp from text (a format, or ISO 8601 with or without an offset; text
-- without an offset is in tz), from a naive timestamp (in tz) or from an instant.
CREATE OR REPLACE TEMP MACRO _cvm_ts(txt, naive, utc, tz, use_fmt, fmt, fmt_has_tz) AS
    coalesce(
        utc,
        _cvm_local(tz, naive),
        CASE
            WHEN use_fmt AND fmt_has_tz
                THEN try_strptime(_cvm_text(txt), fmt)::TIMESTAMPTZ::TIMESTAMP
            WHEN use_fmt THEN _cvm_local(tz, try_strptime(_cvm_text(txt), fmt)::TIMESTAMP)
            WHEN length(_cvm_text(txt)) > 10
                AND regexp_matches(_cvm_text(txt), '(Z|[+-]\d\d(:?\d\d)?)$')
                THEN try_cast(_cvm_text(txt) AS TIMESTAMPTZ)::TIMESTAMP
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
