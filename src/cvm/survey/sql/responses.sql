-- Survey answers, one row per (respondent, brand, attribute); a respondent is keyed by survey
-- and respondent id. customer_id is the respondent's linked customer on every row (or NULL).
SELECT
    concat_ws('/', survey_id, respondent_id) AS respondent,
    max(max(customer_id)) OVER (PARTITION BY survey_id, respondent_id) AS customer_id,
    brand,
    attribute,
    avg(score) AS score,
    avg(importance) AS importance
FROM survey_responses
WHERE ($survey_id IS NULL OR survey_id = $survey_id)
GROUP BY survey_id, respondent_id, brand, attribute
ORDER BY respondent, brand, attribute;
