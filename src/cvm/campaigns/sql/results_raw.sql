-- Stage a results file (bound as $path, read by __source__) with its line, the customer id
-- (__customer__), the arm (__arm__), each outcome as a number and as text (__outcomes__), the
-- covariates as a JSON object (__features__) and the raw line (__raw__).
CREATE OR REPLACE TEMP TABLE results_raw AS
SELECT *,
       __customer__ AS customer_id_,
       nullif(trim(CAST(__arm__ AS VARCHAR)), '') AS arm_,
       __outcomes__,
       __features__ AS features_,
       __raw__ AS raw_
FROM (SELECT row_number() OVER () + 1 AS line_, * FROM __source__) AS f
