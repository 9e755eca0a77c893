-- The $k most frequent values of one attribute column, ties by value.
SELECT /*COL*/ AS value
FROM attribute_text
WHERE /*COL*/ IS NOT NULL
GROUP BY 1
ORDER BY count(*) DESC, 1
LIMIT $k
