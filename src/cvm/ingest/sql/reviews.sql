-- Review exports -> reviews and CSAT answers. Input: _cvm_rv_in(review_id, ts_text, stars_text,
-- title, body, reviewer, language, brand, reply, _rec) staged by reviews.py; $source,
-- $tz, $use_fmt, $fmt, $fmt_has_tz, $fmt_label (the time stamp), $load_id.

-- name: validate
CREATE OR REPLACE TEMP TABLE _cvm_rv_rows AS
WITH typed AS (
    SELECT
        *,
        _cvm_ts(ts_text, NULL::TIMESTAMP, NULL::TIMESTAMP, $tz, $use_fmt, $fmt, $fmt_has_tz) AS ts,
        try_cast(_cvm_text(stars_text) AS DOUBLE) AS stars_num,
        lower(_cvm_text(reviewer)) AS reviewer_key
    FROM _cvm_rv_in
)
SELECT
    t.*,
    coalesce(
        (SELECT min(i.customer_id) FROM identities AS i
            WHERE i.source = 'email' AND i.source_id = t.reviewer_key),
        (SELECT min(c.customer_id) FROM customers AS c WHERE lower(trim(c.email)) = t.reviewer_key),
        (SELECT min(c.customer_id) FROM customers AS c WHERE c.customer_id = _cvm_text(t.reviewer))
    ) AS customer_id,
    CASE
        WHEN _cvm_text(review_id) IS NULL THEN 'missing review id'
        WHEN _cvm_text(stars_text) IS NULL THEN 'missing stars'
        WHEN stars_num IS NULL OR stars_num NOT IN (1, 2, 3, 4, 5)
            THEN 'stars not 1-5: ' || stars_text
        WHEN ts IS NULL AND _cvm_text(ts_text) IS NOT NULL
            THEN 'unparseable timestamp: ' || ts_text || ' (expected ' || $fmt_label || ')'
    END AS reason
FROM typed AS t;

-- name: status
CREATE OR REPLACE TEMP TABLE _cvm_rv_status AS
SELECT
    r._rec,
    CASE
        WHEN r.reason IS NOT NULL THEN 'rejected'
        WHEN row_number() OVER (PARTITION BY r.review_id ORDER BY r._rec) > 1 THEN 'duplicate'
        WHEN EXISTS (SELECT 1 FROM reviews AS v WHERE v.source = $source
                     AND v.review_id = r.review_id) THEN 'duplicate'
        ELSE 'load'
    END AS status
FROM _cvm_rv_rows AS r;

-- name: insert
INSERT INTO reviews (source, review_id, customer_id, reviewer, ts, brand, stars, title, body,
                     language, reply, load_id)
SELECT $source, _cvm_text(r.review_id), r.customer_id, _cvm_text(r.reviewer), r.ts,
    coalesce(_cvm_text(r.brand), 'us'), CAST(r.stars_num AS INTEGER), _cvm_text(r.title),
    _cvm_text(r.body), _cvm_text(r.language), _cvm_text(r.reply), $load_id
FROM _cvm_rv_rows AS r JOIN _cvm_rv_status AS s USING (_rec)
WHERE s.status = 'load';

-- name: answers
-- One CSAT answer per review: respondent "<source>:<review id>", score = stars (1-5).
INSERT INTO survey_responses (survey_id, respondent_id, customer_id, ts, brand, attribute,
                              score, importance, load_id)
SELECT $source, $source || ':' || _cvm_text(r.review_id), r.customer_id, r.ts,
    coalesce(_cvm_text(r.brand), 'us'), 'csat', r.stars_num, NULL, $load_id
FROM _cvm_rv_rows AS r JOIN _cvm_rv_status AS s USING (_rec)
WHERE s.status = 'load';

-- name: rejects
INSERT INTO _cvm_rejects (_rec, _line, _raw, reason)
SELECT _rec, NULL, NULL, reason FROM _cvm_rv_rows WHERE reason IS NOT NULL;
