-- Customer activity per period. Periods are [period_start, period_end) every $step from
-- $first_start to $last_start; the first one is only the baseline of the second and is not
-- returned. A purchase is a transaction that is not a refund and has a positive amount.
--   active       customers with at least one purchase in the period
--   new          active customers whose first purchase ever is in the period
--   retained     active customers who were also active in the previous period
--   reactivated  active customers, neither new nor active in the previous period
--                (so new + retained + reactivated = active)
--   churned      customers active in the previous period and not in this one
--                (so retained + churned = previous_active)
--   repeat_customers  active customers with two or more purchases up to the period's end
WITH periods AS (
    SELECT
        period_start,
        period_start + CAST($step AS INTERVAL) AS period_end,
        row_number() OVER (ORDER BY period_start) AS k
    FROM (
        SELECT unnest(generate_series(
            CAST($first_start AS TIMESTAMP), CAST($last_start AS TIMESTAMP), CAST($step AS INTERVAL)
        )) AS period_start
    ) AS g
),
bounds AS (
    SELECT min(period_start) AS lo, max(period_end) AS hi FROM periods
),
purchases AS (
    SELECT customer_id, ts, amount
    FROM transactions
    WHERE NOT is_refund AND amount > 0 AND ts < (SELECT hi FROM bounds)
),
firsts AS (
    SELECT
        customer_id,
        min(ts) AS first_ts,
        count(*) FILTER (WHERE ts < (SELECT lo FROM bounds)) AS orders_before
    FROM purchases
    GROUP BY customer_id
),
activity AS (
    SELECT p.k, t.customer_id, count(*) AS orders, sum(t.amount) AS revenue
    FROM purchases AS t
    JOIN periods AS p ON t.ts >= p.period_start AND t.ts < p.period_end
    GROUP BY p.k, t.customer_id
),
classified AS (
    SELECT
        a.k,
        a.orders,
        a.revenue,
        CASE
            WHEN f.first_ts >= p.period_start THEN 'new'
            WHEN prev.customer_id IS NOT NULL THEN 'retained'
            ELSE 'reactivated'
        END AS status,
        f.orders_before + sum(a.orders) OVER (PARTITION BY a.customer_id ORDER BY a.k)
            AS orders_to_date
    FROM activity AS a
    JOIN periods AS p ON p.k = a.k
    JOIN firsts AS f ON f.customer_id = a.customer_id
    LEFT JOIN activity AS prev ON prev.customer_id = a.customer_id AND prev.k = a.k - 1
),
per AS (
    SELECT
        k,
        count(*) AS active,
        count(*) FILTER (WHERE status = 'new') AS new,
        count(*) FILTER (WHERE status = 'retained') AS retained,
        count(*) FILTER (WHERE status = 'reactivated') AS reactivated,
        count(*) FILTER (WHERE orders_to_date >= 2) AS repeat_customers,
        sum(orders) AS orders,
        sum(revenue) AS revenue
    FROM classified
    GROUP BY k
),
churned AS (
    SELECT a.k + 1 AS k, count(*) AS churned
    FROM activity AS a
    LEFT JOIN activity AS nxt ON nxt.customer_id = a.customer_id AND nxt.k = a.k + 1
    WHERE nxt.customer_id IS NULL
    GROUP BY a.k + 1
),
net AS (
    SELECT
        p.k,
        sum(t.amount) AS net_revenue,
        sum(CASE WHEN t.is_refund OR t.amount < 0 THEN -t.amount ELSE 0 END) AS refunds
    FROM transactions AS t
    JOIN periods AS p ON t.ts >= p.period_start AND t.ts < p.period_end
    GROUP BY p.k
),
rows AS (
    SELECT
        p.k,
        p.period_start,
        p.period_end,
        coalesce(per.active, 0) AS active,
        coalesce(per.new, 0) AS new,
        coalesce(per.retained, 0) AS retained,
        coalesce(per.reactivated, 0) AS reactivated,
        coalesce(churned.churned, 0) AS churned,
        coalesce(lag(per.active) OVER (ORDER BY p.k), 0) AS previous_active,
        coalesce(per.repeat_customers, 0) AS repeat_customers,
        CAST((SELECT count(*) FROM firsts WHERE first_ts < (SELECT lo FROM bounds))
            + sum(coalesce(per.new, 0)) OVER (ORDER BY p.k) AS BIGINT) AS customers_to_date,
        CAST(coalesce(per.orders, 0) AS BIGINT) AS orders,
        coalesce(per.revenue, 0) AS revenue,
        coalesce(net.net_revenue, 0) AS net_revenue,
        coalesce(net.refunds, 0) AS refunds
    FROM periods AS p
    LEFT JOIN per ON per.k = p.k
    LEFT JOIN churned ON churned.k = p.k
    LEFT JOIN net ON net.k = p.k
)
SELECT
    period_start,
    period_end,
    active,
    new,
    retained,
    reactivated,
    churned,
    previous_active,
    retained / nullif(previous_active, 0) AS retention_rate,
    churned / nullif(previous_active, 0) AS churn_rate,
    repeat_customers,
    repeat_customers / nullif(active, 0) AS repeat_purchase_rate,
    customers_to_date,
    orders,
    revenue,
    refunds,
    net_revenue,
    revenue / nullif(orders, 0) AS average_order_value,
    orders / nullif(active, 0) AS purchase_frequency,
    net_revenue / nullif(active, 0) AS revenue_per_customer
FROM rows
WHERE k > 1
ORDER BY period_start;
