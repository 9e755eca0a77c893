-- No customers folder: an empty customers relation with the columns profile.sql reads.
SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS TIMESTAMP) AS first_seen,
       CAST(NULL AS BOOLEAN) AS consent_email, CAST(NULL AS BOOLEAN) AS consent_sms,
       CAST(NULL AS BOOLEAN) AS consent_push, CAST(NULL AS BOOLEAN) AS consent_mail,
       CAST(NULL AS VARCHAR) AS country, CAST(NULL AS VARCHAR) AS acquisition_channel,
       CAST(NULL AS VARCHAR) AS attributes
WHERE 1 = 0
