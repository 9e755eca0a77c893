-- A wide survey export (one row per respondent, one column per question) as long answers in
-- the shape the survey validator reads. The holes (__source__, __seq__, the id expressions,
-- __question_cells__ and __questions__) are filled on the tree from the file's own header.
-- Rows up to $header_rows are extra header rows of the export (question text, import ids).
-- An empty cell is an unanswered question: no answer, not an error.
CREATE OR REPLACE TEMP TABLE _cvm_svw_long AS
WITH src AS (
    SELECT
        __seq__ AS _rec,
        __respondent__ AS respondent_id,
        __customer__ AS customer_id,
        __ts__ AS ts_text,
        __survey__ AS survey_id,
        __question_cells__
    FROM __source__
),
answers AS (
    UNPIVOT (SELECT * FROM src WHERE _rec > $header_rows)
    ON __questions__
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
