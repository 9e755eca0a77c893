-- The as-of customer profile (360 view): one row per customer known on or before $as_of,
-- prospects (events or a CRM row, no purchase) included. Inputs prepared by profile.py:
-- profile_summary (summary.sql as of the same day), profile_clv (customer_id, clv, p_alive,
-- expected_purchases) and profile_churn (customer_id, churn_risk).
-- Parameters: $as_of (DATE, inclusive).
CREATE OR REPLACE TEMP TABLE customer_profile AS
WITH tx AS (
    SELECT customer_id, transaction_id, CAST(ts AS DATE) AS day, amount,
           coalesce(is_refund, amount < 0) AS is_refund, coalesce(channel, 'unknown') AS channel
    FROM transactions
    WHERE CAST(ts AS DATE) <= $as_of
),
purchase_days AS (
    SELECT customer_id, day FROM tx WHERE NOT is_refund GROUP BY ALL
),
gaps AS (
    SELECT customer_id,
           date_diff('day', lag(day) OVER w, day) AS gap,
           row_number() OVER (PARTITION BY customer_id ORDER BY day DESC) AS back
    FROM purchase_days
    WINDOW w AS (PARTITION BY customer_id ORDER BY day)
),
rhythm AS (
    SELECT customer_id,
           avg(gap) AS ipt_mean,
           coalesce(stddev_samp(gap), 0) AS ipt_std,
           max(gap) AS ipt_max,
           max(gap) FILTER (WHERE back = 1) AS last_gap
    FROM gaps
    WHERE gap IS NOT NULL
    GROUP BY customer_id
),
money AS (
    SELECT customer_id,
           count(*) FILTER (WHERE NOT is_refund) AS orders,
           sum(amount) AS revenue,
           coalesce(sum(amount) FILTER (WHERE NOT is_refund), 0) AS gross_revenue,
           count(*) FILTER (WHERE is_refund) AS refunds,
           coalesce(-sum(amount) FILTER (WHERE is_refund), 0) AS refund_amount,
           count(*) FILTER (WHERE NOT is_refund AND day > $as_of - 90) AS orders_90d,
           count(*) FILTER (WHERE NOT is_refund AND day > $as_of - 180
                                AND day <= $as_of - 90) AS orders_prev_90d,
           coalesce(sum(amount) FILTER (WHERE day > $as_of - 90), 0) AS spend_90d,
           coalesce(sum(amount) FILTER (WHERE day > $as_of - 180
                                          AND day <= $as_of - 90), 0) AS spend_prev_90d,
           count(*) FILTER (WHERE NOT is_refund AND day > $as_of - 365) AS orders_365d,
           coalesce(sum(amount) FILTER (WHERE day > $as_of - 365), 0) AS spend_365d
    FROM tx
    GROUP BY customer_id
),
-- main_channel and main_category: a tie goes to the first name (pick = 1), the same on every
-- engine; categories sorted by list_sort, which Spark has too (ordered aggregates it has not).
channel_counts AS (
    SELECT customer_id, channel, count(*) AS n,
           count(*) / sum(count(*)) OVER (PARTITION BY customer_id) AS share,
           row_number() OVER (PARTITION BY customer_id ORDER BY count(*) DESC, channel) AS pick
    FROM tx
    WHERE NOT is_refund
    GROUP BY customer_id, channel
),
channels AS (
    SELECT customer_id,
           map(list(channel ORDER BY n DESC, channel), list(share ORDER BY n DESC, channel))
               AS channel_shares,
           max(channel) FILTER (WHERE pick = 1) AS main_channel,
           count(*) AS n_channels
    FROM channel_counts
    GROUP BY customer_id
),
category_counts AS (
    SELECT t.customer_id, coalesce(i.category, 'unknown') AS category,
           row_number() OVER (PARTITION BY t.customer_id
                              ORDER BY count(*) DESC, coalesce(i.category, 'unknown')) AS pick
    FROM order_items AS i
    JOIN tx AS t ON t.transaction_id = i.transaction_id AND NOT t.is_refund
    GROUP BY t.customer_id, coalesce(i.category, 'unknown')
),
categories AS (
    SELECT customer_id,
           list_sort(list(category)) AS categories,
           max(category) FILTER (WHERE pick = 1) AS main_category,
           count(*) AS n_categories
    FROM category_counts
    GROUP BY customer_id
),
activity AS (
    SELECT customer_id,
           count(*) FILTER (WHERE CAST(ts AS DATE) > $as_of - 30) AS events_30d,
           count(*) FILTER (WHERE CAST(ts AS DATE) > $as_of - 90) AS events_90d,
           min(CAST(ts AS DATE)) AS first_event,
           max(CAST(ts AS DATE)) AS last_event
    FROM events
    WHERE customer_id IS NOT NULL AND CAST(ts AS DATE) <= $as_of
    GROUP BY customer_id
),
contracts AS (
    SELECT customer_id,
           count(*) AS contracts,
           min(CAST(started AS DATE)) AS first_contract,
           count(*) FILTER (WHERE ended IS NULL OR CAST(ended AS DATE) > $as_of)
               AS active_contracts,
           max(CAST(ended AS DATE)) FILTER (WHERE CAST(ended AS DATE) <= $as_of)
               AS last_contract_end
    FROM subscriptions
    WHERE CAST(started AS DATE) <= $as_of
    GROUP BY customer_id
),
crm AS (
    SELECT * FROM customers
    WHERE first_seen IS NULL OR CAST(first_seen AS DATE) <= $as_of
),
people AS (
    SELECT customer_id FROM crm
    UNION SELECT customer_id FROM money
    UNION SELECT customer_id FROM activity
    UNION SELECT customer_id FROM contracts
)
SELECT
    p.customer_id,
    s.customer_id IS NULL AS is_prospect,
    least(CAST(c.first_seen AS DATE), s.first_purchase, a.first_event, k.first_contract) AS first_seen,
    s.first_purchase,
    s.last_purchase,
    coalesce(m.orders, 0) AS orders,
    coalesce(s.frequency, 0) AS frequency,
    coalesce(s.recency, 0) AS recency,
    coalesce(s.T, 0) AS T,
    coalesce(s.monetary_value, 0) AS monetary_value,
    coalesce(m.revenue, 0) AS revenue,
    CASE WHEN m.orders > 0 THEN m.gross_revenue / m.orders END AS avg_order_value,
    date_diff('day', s.last_purchase, $as_of) AS days_since_last,
    date_diff('day', least(CAST(c.first_seen AS DATE), s.first_purchase, a.first_event, k.first_contract), $as_of)
        AS tenure_days,
    r.ipt_mean,
    r.ipt_std,
    r.ipt_max,
    r.last_gap,
    coalesce(m.orders_90d, 0) AS orders_90d,
    coalesce(m.orders_prev_90d, 0) AS orders_prev_90d,
    coalesce(m.spend_90d, 0) AS spend_90d,
    coalesce(m.spend_prev_90d, 0) AS spend_prev_90d,
    coalesce(m.orders_365d, 0) AS orders_365d,
    coalesce(m.spend_365d, 0) AS spend_365d,
    coalesce(m.refunds, 0) AS refunds,
    coalesce(m.refund_amount, 0) AS refund_amount,
    ch.channel_shares,
    ch.main_channel,
    coalesce(ch.n_channels, 0) AS n_channels,
    coalesce(cat.categories, []::VARCHAR[]) AS categories,
    cat.main_category,
    coalesce(cat.n_categories, 0) AS n_categories,
    coalesce(a.events_30d, 0) AS events_30d,
    coalesce(a.events_90d, 0) AS events_90d,
    date_diff('day', a.last_event, $as_of) AS days_since_event,
    coalesce(k.contracts, 0) AS contracts,
    coalesce(k.active_contracts, 0) AS active_contracts,
    CASE WHEN k.contracts IS NULL THEN NULL
         WHEN k.active_contracts > 0 THEN 'active' ELSE 'ended' END AS contract_state,
    k.last_contract_end,
    coalesce(c.consent_email, false) AS consent_email,
    coalesce(c.consent_sms, false) AS consent_sms,
    coalesce(c.consent_push, false) AS consent_push,
    coalesce(c.consent_mail, false) AS consent_mail,
    c.country,
    c.acquisition_channel,
    c.attributes,
    v.clv,
    v.p_alive,
    v.expected_purchases,
    h.churn_risk
FROM people AS p
LEFT JOIN crm AS c USING (customer_id)
LEFT JOIN profile_summary AS s USING (customer_id)
LEFT JOIN money AS m USING (customer_id)
LEFT JOIN rhythm AS r USING (customer_id)
LEFT JOIN channels AS ch USING (customer_id)
LEFT JOIN categories AS cat USING (customer_id)
LEFT JOIN activity AS a USING (customer_id)
LEFT JOIN contracts AS k USING (customer_id)
LEFT JOIN profile_clv AS v USING (customer_id)
LEFT JOIN profile_churn AS h USING (customer_id)
