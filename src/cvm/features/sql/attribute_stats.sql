-- The counts that type one attribute column (__col__ of attribute_text): see
-- AttributeEncoder.decide.
SELECT count(__col__) AS present,
       count(DISTINCT __col__) AS distinct_values,
       count(try_cast(__col__ AS DOUBLE)) AS numeric_values,
       count(*) FILTER (WHERE lower(__col__) IN ('true', 'yes', 'y', 't')) AS trues,
       count(*) FILTER (WHERE lower(__col__) IN ('false', 'no', 'n', 'f')) AS falses
FROM attribute_text
