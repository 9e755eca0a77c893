-- Validate staged campaign rows (campaign_import_raw, all text, with line numbers): the first
-- failing check is the reason; NULL reason rows are loaded.
CREATE OR REPLACE TEMP TABLE campaign_import AS
SELECT *,
    CASE
        WHEN nullif(trim(campaign_id), '') IS NULL THEN 'missing campaign_id'
        WHEN count(*) OVER (PARTITION BY campaign_id) > 1
             AND row_number() OVER (PARTITION BY campaign_id ORDER BY line) > 1
            THEN 'duplicate campaign_id in the file'
        WHEN EXISTS (SELECT 1 FROM campaigns c WHERE c.campaign_id = r.campaign_id)
            THEN 'campaign already in the workspace'
        WHEN try_cast(starts AS TIMESTAMP) IS NULL THEN 'starts is not a date'
        WHEN try_cast(ends AS TIMESTAMP) IS NULL THEN 'ends is not a date'
        WHEN try_cast(ends AS TIMESTAMP) < try_cast(starts AS TIMESTAMP) THEN 'ends before starts'
        WHEN nullif(response_days, '') IS NOT NULL
             AND coalesce(try_cast(response_days AS INTEGER), 0) < 1
            THEN 'response_days is not a positive integer'
        WHEN nullif(control_fraction, '') IS NOT NULL
             AND NOT coalesce(try_cast(control_fraction AS DOUBLE) > 0
                              AND try_cast(control_fraction AS DOUBLE) < 1, FALSE)
            THEN 'control_fraction is not within (0, 1)'
        WHEN coalesce(channel, 'email') NOT IN ('email', 'sms', 'push', 'mail')
            THEN 'channel is not email, sms, push or mail'
    END AS reason
FROM campaign_import_raw r;
