-- Refused answers of a wide survey export: the validator's reason plus the question column
-- it came from (the respondent's line and text are filled in afterwards by record number).
INSERT INTO _cvm_rejects (_rec, _line, _raw, reason)
SELECT
    t._rec,
    NULL,
    NULL,
    t.reason || ' in column ' || CASE
        WHEN t.reason LIKE 'non-numeric importance%' THEN l.importance_question
        ELSE l.question
    END
FROM __rows__ AS t
JOIN _cvm_svw_long AS l ON l._seq = t._seq
WHERE t.reason IS NOT NULL
UNION ALL
SELECT t._rec, NULL, NULL, $conflict || ' in column ' || l.question
FROM __rows__ AS t
JOIN __status__ AS s ON s._seq = t._seq
JOIN _cvm_svw_long AS l ON l._seq = t._seq
WHERE s.status = 'conflict';
