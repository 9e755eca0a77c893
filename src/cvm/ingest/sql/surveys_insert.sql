INSERT INTO survey_responses (
    survey_id, respondent_id, customer_id, ts, brand, attribute, score, importance, load_id
)
SELECT
    t.survey_id, t.respondent_id, t.customer_id, t.ts, t.brand, t.attribute, t.score,
    t.importance, $load_id
FROM __rows__ AS t
JOIN __status__ AS s ON s._seq = t._seq
WHERE s.status = 'load';
