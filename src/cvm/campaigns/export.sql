-- The treated customers of a campaign with the export-time contact policy (consent or
-- suppression may have changed since the build). Controls are never selected.
-- $1 campaign id. Needs contact_policy for the campaign's treated customers and its channel.
CREATE OR REPLACE TEMP TABLE campaign_export AS
SELECT
    a.customer_id,
    a.arm,
    c.email,
    c.phone,
    json_extract_string(c.attributes, '$.first_name') AS first_name,
    json_extract_string(c.attributes, '$.last_name') AS last_name,
    p.reason
FROM assignments a
JOIN contact_policy p USING (customer_id)
LEFT JOIN customers c USING (customer_id)
WHERE a.campaign_id = $1 AND a.arm <> 'control';
