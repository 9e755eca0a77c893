-- Forget a previous build of campaign $campaign_id: its arms and build-time exclusions.
DELETE FROM assignments WHERE campaign_id = $campaign_id;
DELETE FROM campaign_exclusions WHERE campaign_id = $campaign_id AND stage = 'build';
