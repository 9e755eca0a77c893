-- The treated customers of a campaign with the export-time contact policy (consent or
-- suppression may have changed since the build). Controls are never selected.
-- $campaign_id. Needs contact_policy for the campaign's treated customers and its channel.
-- Names come from the customer's attributes as the source wrote them (first_name, FirstName,
-- "First Name", billing_first_name...); CLV from latest_scores, tier and segment from
-- latest_segments (NULL when no run has them); the offer is the campaign's.
CREATE OR REPLACE TEMP TABLE campaign_export AS
SELECT
    a.customer_id,
    a.arm,
    c.email,
    c.phone,
    coalesce(
        json_extract_string(c.attributes, '$.first_name'),
        json_extract_string(c.attributes, '$.firstname'),
        json_extract_string(c.attributes, '$.FirstName'),
        json_extract_string(c.attributes, '$."First Name"'),
        json_extract_string(c.attributes, '$.given_name'),
        json_extract_string(c.attributes, '$.billing_first_name')
    ) AS first_name,
    coalesce(
        json_extract_string(c.attributes, '$.last_name'),
        json_extract_string(c.attributes, '$.lastname'),
        json_extract_string(c.attributes, '$.LastName'),
        json_extract_string(c.attributes, '$."Last Name"'),
        json_extract_string(c.attributes, '$.family_name'),
        json_extract_string(c.attributes, '$.billing_last_name')
    ) AS last_name,
    round(ls.clv, 2) AS clv,
    sg.tier,
    sg.segment,
    k.offer_id AS offer,
    p.reason
FROM assignments a
JOIN contact_policy p USING (customer_id)
LEFT JOIN customers c USING (customer_id)
LEFT JOIN latest_scores ls USING (customer_id)
LEFT JOIN latest_segments sg USING (customer_id)
LEFT JOIN campaigns k ON k.campaign_id = a.campaign_id
WHERE a.campaign_id = $campaign_id AND a.arm <> 'control';
