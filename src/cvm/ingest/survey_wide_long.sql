-- A wide survey export (one row per respondent, one column per question) as long answers in
-- the shape the survey validator reads. {relation}, {seq}, the id expressions and {questions}
-- are built by the caller from the file's own header (quoted identifiers), never from values.
-- Rows up to $header_rows are extra header rows of the export (question text, import ids).
-- An empty cell is an unanswered question: no answer, not an error.
CREATE OR REPLACE TEMP TABLE _cvm_svw_long AS
WITH src AS (
    SELECT
        {seq} AS _rec,
        {respondent} AS respondent_id,
        {customer} AS customer_id,
        {ts} AS ts_text,
        {survey} AS survey_id,
        {question_cells}
    FROM {relation}
),
answers AS (
    UNPIVOT (SELECT * FROM src WHERE _rec > $header_rows)
    ON {questions}
    INTO NAME question VALUE answer
),
scores AS (
    SELECT a.*, m.brand, m.attribute
    FROM answers AS a
    JOIN _cvm_svw_map AS m ON m.question = a.question AND NOT m.is_importance
),
importance AS (
    SELECT a._rec, a.question, a.answer, m.brand, m.attribute
    FROM answers AS a
    JOIN _cvm_svw_map AS m ON m.question = a.question AND m.is_importance
)
SELECT
    s.survey_id,
    s.respondent_id,
    s.customer_id,
    s.ts_text,
    NULL::TIMESTAMP AS ts_naive,
    NULL::TIMESTAMP AS ts_utc,
    s.brand,
    s.attribute,
    s.answer AS score_text,
    NULL::DOUBLE AS score_num,
    i.answer AS importance_text,
    NULL::DOUBLE AS importance_num,
    row_number() OVER (ORDER BY s._rec, s.question) AS _seq,
    s._rec,
    NULL::BIGINT AS _line,
    NULL::VARCHAR AS _raw,
    s.question,
    i.question AS importance_question
FROM scores AS s
LEFT JOIN importance AS i
    ON i._rec = s._rec
    AND i.attribute = s.attribute
    AND (i.brand IS NULL OR i.brand = s.brand);
