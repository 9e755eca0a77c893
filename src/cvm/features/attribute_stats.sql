-- The counts that type one attribute column (/*COL*/ of attribute_text): see
-- AttributeEncoder.decide.
SELECT count(/*COL*/) AS present,
       count(DISTINCT /*COL*/) AS distinct_values,
       count(try_cast(/*COL*/ AS DOUBLE)) AS numeric_values,
       count(*) FILTER (WHERE lower(/*COL*/) IN ('true', 'yes', 'y', 't')) AS trues,
       count(*) FILTER (WHERE lower(/*COL*/) IN ('false', 'no', 'n', 'f')) AS falses
FROM attribute_text
