-- The $k most frequent values of one attribute column (__col__ of attribute_text), ties by value.
SELECT __col__ AS value
FROM attribute_text
WHERE __col__ IS NOT NULL
GROUP BY 1
ORDER BY count(*) DESC, 1
LIMIT $k
