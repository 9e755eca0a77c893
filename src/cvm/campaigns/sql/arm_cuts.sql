-- Each arm's [lower, upper) share of the unit interval (from campaign_arm_cuts_df).
CREATE OR REPLACE TEMP TABLE campaign_arm_cuts AS SELECT * FROM campaign_arm_cuts_df
