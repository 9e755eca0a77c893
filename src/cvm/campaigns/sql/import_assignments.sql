-- Validate staged assignment rows (assignment_import_raw, all text, with line numbers) against
-- the campaigns being imported and the workspace's customers.
CREATE OR REPLACE TEMP TABLE assignment_import AS
SELECT r.*,
    CASE
        WHEN nullif(trim(r.campaign_id), '') IS NULL THEN 'missing campaign_id'
        WHEN nullif(trim(r.customer_id), '') IS NULL THEN 'missing customer_id'
        WHEN nullif(trim(r.arm), '') IS NULL THEN 'missing arm'
        WHEN k.campaign_id IS NULL THEN 'unknown campaign ' || r.campaign_id
        WHEN c.customer_id IS NULL THEN 'unknown customer ' || r.customer_id
        WHEN nullif(r.assigned_at, '') IS NOT NULL AND try_cast(r.assigned_at AS TIMESTAMP) IS NULL
            THEN 'assigned_at is not a date'
        WHEN row_number() OVER (PARTITION BY r.campaign_id, r.customer_id ORDER BY r.line) > 1
            THEN 'duplicate assignment of the customer in the campaign'
    END AS reason,
    coalesce(try_cast(nullif(r.assigned_at, '') AS TIMESTAMP), k.starts) AS assigned_ts
FROM assignment_import_raw r
LEFT JOIN (SELECT campaign_id, CAST(starts AS TIMESTAMP) AS starts FROM campaign_import
           WHERE reason IS NULL) k USING (campaign_id)
LEFT JOIN (SELECT DISTINCT customer_id FROM customers) c USING (customer_id);
