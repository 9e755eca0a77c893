-- Classify valid answers on (survey_id, respondent_id, brand, attribute).
-- __firsts__: the valid rows with the first row of their key (first_rows.sql).
CREATE OR REPLACE TEMP TABLE __status__ AS
WITH stored AS (
    SELECT
        survey_id, respondent_id, brand, attribute,
        hash(customer_id, ts, score, importance) AS content_hash
    FROM survey_responses
)
SELECT
    v._seq,
    _cvm_insert_status(
        e.content_hash IS NOT NULL AND e.content_hash = v.content_hash,
        e.respondent_id IS NOT NULL,
        v._seq = v.first_seq,
        v.content_hash = v.first_hash
    ) AS status
FROM __firsts__ AS v
LEFT JOIN stored AS e
    ON e.survey_id IS NOT DISTINCT FROM v.survey_id
    AND e.respondent_id = v.respondent_id
    AND e.brand = v.brand
    AND e.attribute = v.attribute;
