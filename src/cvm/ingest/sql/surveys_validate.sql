-- Type and check staged survey answers (the staged input __input__), long format: one score per
-- (survey, respondent, brand, attribute); scores must lie in [$score_min, $score_max].
CREATE OR REPLACE TEMP TABLE __rows__ AS
WITH parsed AS (
    SELECT
        _seq, _rec, _line, _raw,
        _cvm_text(survey_id) AS survey_id,
        _cvm_text(respondent_id) AS respondent_id,
        _cvm_text(customer_id) AS customer_id,
        _cvm_text(ts_text) AS ts_text,
        _cvm_ts(ts_text, ts_naive, ts_utc, $tz, $use_fmt, $fmt, $fmt_has_tz) AS ts,
        _cvm_text(brand) AS brand,
        CASE WHEN lower(trim(attribute)) IN ('nps', 'csat') THEN lower(trim(attribute))
            ELSE _cvm_text(attribute) END AS attribute,
        _cvm_num(score_text, score_num) AS score,
        coalesce(_cvm_text(score_text), score_num::VARCHAR) AS score_text,
        _cvm_num(importance_text, importance_num) AS importance,
        _cvm_text(importance_text) AS importance_text
    FROM __input__ AS staged
)
SELECT
    _seq, _rec, _line, _raw, survey_id, respondent_id, customer_id, ts, brand, attribute,
    score, importance,
    hash(customer_id, ts, score, importance) AS content_hash,
    CASE
        WHEN respondent_id IS NULL THEN 'missing respondent id'
        WHEN brand IS NULL THEN 'missing brand'
        WHEN attribute IS NULL THEN 'missing attribute'
        WHEN ts IS NULL AND _cvm_bad_offset(ts_text) THEN 'impossible UTC offset: ' || ts_text
        WHEN ts IS NULL AND ts_text IS NOT NULL
            THEN 'unparseable timestamp: ' || ts_text || ' (expected ' || $fmt_label || ')'
        WHEN _cvm_ts_reason(ts, ts_text) IS NOT NULL THEN _cvm_ts_reason(ts, ts_text)
        WHEN score IS NULL AND score_text IS NULL THEN 'missing score'
        WHEN score IS NULL THEN 'non-numeric score: ' || score_text
        WHEN NOT isfinite(score) THEN 'non-finite score: ' || score_text
        WHEN score < $score_min OR score > $score_max
            THEN 'score out of range: ' || score_text || ' (expected ' || $score_range || ')'
        WHEN importance IS NULL AND importance_text IS NOT NULL
            THEN 'non-numeric importance: ' || importance_text
        WHEN _cvm_num_reason('importance', importance, importance_text, -_cvm_max_score(),
            _cvm_max_score()) IS NOT NULL
            THEN _cvm_num_reason('importance', importance, importance_text, -_cvm_max_score(),
                _cvm_max_score())
    END AS reason
FROM parsed;
