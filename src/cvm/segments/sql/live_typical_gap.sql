-- The population's typical days between purchases (segments.sql stages one-time buyers by it),
-- from a whole customer_profile.
SELECT median(ipt_mean) FROM customer_profile
