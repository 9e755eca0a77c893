-- One attribute column encoded as a number, in list order: numeric as read, a vendor boolean
-- as 1/0, a category as its code (attribute_codes) or $other; NULL stays NULL.
SELECT CAST(CASE
           WHEN t./*COL*/ IS NULL THEN NULL
           WHEN $kind = 'numeric' THEN try_cast(t./*COL*/ AS DOUBLE)
           WHEN $kind = 'boolean' THEN
               CASE WHEN lower(t./*COL*/) IN ('true', 'yes', 'y', 't') THEN 1.0
                    WHEN lower(t./*COL*/) IN ('false', 'no', 'n', 'f') THEN 0.0 END
           ELSE coalesce(k.code, $other)
       END AS FLOAT) AS x
FROM attribute_text t
LEFT JOIN attribute_codes k ON k.value = t./*COL*/
ORDER BY t.pos
