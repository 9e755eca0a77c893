-- The check of one outcome column: text (__text__) that did not read as a number (__number__)
-- is refused with __message__ and the text.
SELECT CASE WHEN __text__ IS NOT NULL AND __number__ IS NULL THEN __message__ || __text__ END
