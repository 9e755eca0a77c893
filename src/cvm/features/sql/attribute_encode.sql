-- One attribute column (__col__ of attribute_text) encoded as a number, in list order: numeric
-- as read, a vendor boolean as 1/0, a category as its code (attribute_codes) or $other; NULL
-- stays NULL.
SELECT CAST(CASE
           WHEN __col__ IS NULL THEN NULL
           WHEN $kind = 'numeric' THEN try_cast(__col__ AS DOUBLE)
           WHEN $kind = 'boolean' THEN
               CASE WHEN lower(__col__) IN ('true', 'yes', 'y', 't') THEN 1.0
                    WHEN lower(__col__) IN ('false', 'no', 'n', 'f') THEN 0.0 END
           ELSE coalesce(k.code, $other)
       END AS FLOAT) AS x
FROM attribute_text t
LEFT JOIN attribute_codes k ON k.value = __col__
ORDER BY t.pos
