-- The covariates a campaign's results file carried for each member.
SELECT customer_id, features AS doc FROM campaign_covariates WHERE campaign_id = $campaign_id
