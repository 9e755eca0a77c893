-- Members of campaign $campaign_id with covariates from its results file.
SELECT count(*) FROM campaign_covariates WHERE campaign_id = $campaign_id AND features IS NOT NULL
