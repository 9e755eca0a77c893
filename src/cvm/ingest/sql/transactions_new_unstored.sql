-- Ids unique within the load: every valid row that is not already stored.
SELECT t.*
FROM __rows__ AS t
ANTI JOIN __status__ AS s ON s._seq = t._seq
WHERE t.reason IS NULL
