-- Cohorts by acquisition period (the period, truncated to $part, of a customer's first
-- purchase), from $start to the period holding the last instant before $end. For every cohort
-- and age (periods since acquisition, 0 = the acquisition period) up to the last full or
-- partial period: customers active at that age, their orders and purchase revenue.
WITH purchases AS (
    SELECT customer_id, ts, amount
    FROM transactions
    WHERE NOT is_refund AND amount > 0 AND ts < CAST($end AS TIMESTAMP)
),
firsts AS (
    SELECT customer_id, date_trunc($part, min(ts)) AS cohort
    FROM purchases
    GROUP BY customer_id
),
cohorts AS (
    SELECT cohort, count(*) AS cohort_size
    FROM firsts
    WHERE cohort >= date_trunc($part, CAST($start AS TIMESTAMP))
    GROUP BY cohort
),
ages AS (
    SELECT
        cohort,
        cohort_size,
        unnest(range(0, datediff(
            $part, cohort,
            date_trunc($part, CAST($end AS TIMESTAMP) - INTERVAL 1 MICROSECOND)
        ) + 1)) AS age
    FROM cohorts
),
activity AS (
    SELECT
        f.cohort,
        datediff($part, f.cohort, date_trunc($part, p.ts)) AS age,
        count(DISTINCT p.customer_id) AS customers,
        count(*) AS orders,
        sum(p.amount) AS revenue
    FROM purchases AS p
    JOIN firsts AS f ON f.customer_id = p.customer_id
    GROUP BY ALL
)
SELECT
    a.cohort,
    a.age,
    a.cohort_size,
    coalesce(x.customers, 0) AS customers,
    coalesce(x.orders, 0) AS orders,
    coalesce(x.revenue, 0) AS revenue,
    coalesce(x.customers, 0) / a.cohort_size AS retention,
    coalesce(x.revenue, 0) / a.cohort_size AS revenue_per_customer
FROM ages AS a
LEFT JOIN activity AS x ON x.cohort = a.cohort AND x.age = a.age
ORDER BY a.cohort, a.age;
