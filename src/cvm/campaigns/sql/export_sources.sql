-- What an export layout may show, by name (cvm.campaigns.formats picks and renames them):
-- over campaign_export, with the campaign id bound as $campaign.
SELECT
    email AS email,
    phone AS phone,
    coalesce(first_name, '') AS first_name,
    coalesce(last_name, '') AS last_name,
    $campaign || ',' || arm AS tags,
    customer_id AS customer_id,
    clv AS clv,
    tier AS tier,
    segment AS segment,
    offer AS offer,
    $campaign AS campaign,
    arm AS arm
FROM campaign_export
