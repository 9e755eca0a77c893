-- 1 when campaign $campaign_id is stored, else 0.
SELECT count(*) FROM campaigns WHERE campaign_id = $campaign_id
