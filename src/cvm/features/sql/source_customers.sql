-- The customers folder (__source__) with the canonical columns and types (see
-- source_transactions.sql); no folder reads as no rows. attributes: JSON text.
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT CAST(__customer_id__ AS VARCHAR) AS customer_id,
       CAST(__first_seen__ AS TIMESTAMP) AS first_seen,
       CAST(__country__ AS VARCHAR) AS country,
       CAST(__acquisition_channel__ AS VARCHAR) AS acquisition_channel,
       coalesce(CAST(__consent_email__ AS BOOLEAN), false) AS consent_email,
       coalesce(CAST(__consent_sms__ AS BOOLEAN), false) AS consent_sms,
       coalesce(CAST(__consent_push__ AS BOOLEAN), false) AS consent_push,
       coalesce(CAST(__consent_mail__ AS BOOLEAN), false) AS consent_mail,
       CAST(__attributes__ AS VARCHAR) AS attributes
FROM __source__
