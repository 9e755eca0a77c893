-- Offers with a cooldown and its days (from decide_cooldowns_df), for cooldown.sql.
CREATE OR REPLACE TEMP TABLE decide_cooldowns AS SELECT * FROM decide_cooldowns_df
