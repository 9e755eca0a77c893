-- Refused rows of an import by reason (unknown customers and campaigns counted together).
SELECT reason, count(*)
FROM (
    SELECT reason FROM campaign_import
    UNION ALL
    SELECT regexp_replace(reason, '^(unknown (customer|campaign)) .*$', '\1')
    FROM assignment_import
)
WHERE reason IS NOT NULL
GROUP BY reason
ORDER BY 2 DESC
