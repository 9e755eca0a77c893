-- Per campaign and arm: customers assigned, buyers and purchase revenue (net of refunds) in
-- the response window [start, start + response_days days), start = the campaign's start or
-- else the assignment time; the treatment cost is the offer's cost per contact (contacts when
-- recorded, else assigned treatment customers).
WITH arms AS (
    SELECT
        a.campaign_id,
        a.customer_id,
        a.arm,
        coalesce(c.starts, a.assigned_at) AS window_start,
        coalesce(c.starts, a.assigned_at)
            + to_days(CAST(coalesce(c.response_days, $default_days) AS INTEGER)) AS window_end
    FROM assignments AS a
    JOIN campaigns AS c ON c.campaign_id = a.campaign_id
),
outcomes AS (
    SELECT
        x.campaign_id,
        x.arm,
        x.customer_id,
        count(t.transaction_id) FILTER (WHERE NOT t.is_refund AND t.amount > 0) AS orders,
        coalesce(sum(t.amount), 0) AS revenue
    FROM arms AS x
    LEFT JOIN transactions AS t
        ON t.customer_id = x.customer_id AND t.ts >= x.window_start AND t.ts < x.window_end
    GROUP BY ALL
),
contacts_made AS (
    SELECT campaign_id, count(*) AS contacts FROM contacts GROUP BY campaign_id
)
SELECT
    o.campaign_id,
    c.name,
    o.arm,
    count(*) AS customers,
    count(*) FILTER (WHERE o.orders > 0) AS buyers,
    sum(o.revenue) AS revenue,
    var_samp(o.revenue) AS revenue_var,
    coalesce(f.cost, 0) AS cost_per_contact,
    m.contacts
FROM outcomes AS o
JOIN campaigns AS c ON c.campaign_id = o.campaign_id
LEFT JOIN offers AS f ON f.offer_id = c.offer_id
LEFT JOIN contacts_made AS m ON m.campaign_id = o.campaign_id
GROUP BY ALL
ORDER BY o.campaign_id, o.arm;
