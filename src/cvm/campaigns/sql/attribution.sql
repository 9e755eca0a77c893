-- Each assigned customer's outcome in the response window: from the first contact for the
-- treated (from the assignment when never contacted), from the assignment for the controls.
-- Revenue is net of refunds: orders in the window less their refunds whenever they came, and
-- refunds of unknown orders made in the window.
CREATE OR REPLACE TEMP TABLE campaign_windows AS
SELECT a.customer_id, a.arm, a.stratum, k.first_contact IS NOT NULL AS contacted,
       CASE WHEN a.arm <> 'control' AND k.first_contact IS NOT NULL
            THEN k.first_contact ELSE a.assigned_at END AS window_start
FROM assignments a
LEFT JOIN (SELECT customer_id, min(ts) AS first_contact FROM contacts
           WHERE campaign_id = $campaign_id GROUP BY customer_id) k USING (customer_id)
WHERE a.campaign_id = $campaign_id;

DELETE FROM campaign_outcomes WHERE campaign_id = $campaign_id;

INSERT INTO campaign_outcomes
WITH win AS (
    SELECT *, window_start + to_days($response_days) AS window_end FROM campaign_windows
),
orders AS (
    SELECT w.customer_id, t.transaction_id, t.amount, t.is_refund, t.refund_of
    FROM win w JOIN transactions t
      ON t.customer_id = w.customer_id AND t.ts >= w.window_start AND t.ts < w.window_end
),
refunds AS (
    SELECT o.customer_id, sum(t.amount) AS refunded
    FROM orders o JOIN transactions t ON t.refund_of = o.transaction_id AND t.is_refund
    WHERE NOT o.is_refund
    GROUP BY o.customer_id
),
bought AS (
    SELECT customer_id,
           count(*) FILTER (WHERE NOT is_refund) AS orders,
           coalesce(sum(amount) FILTER (WHERE NOT is_refund), 0)
             + coalesce(sum(amount) FILTER (WHERE is_refund AND refund_of IS NULL), 0) AS gross
    FROM orders GROUP BY customer_id
),
visits AS (
    SELECT w.customer_id, count(*) AS visits
    FROM win w JOIN events e
      ON e.customer_id = w.customer_id AND e.ts >= w.window_start AND e.ts < w.window_end
    GROUP BY w.customer_id
)
SELECT $campaign_id, w.customer_id, w.arm, w.stratum, w.contacted, w.window_start, w.window_end,
       coalesce(b.orders, 0), coalesce(b.orders, 0) > 0,
       coalesce(b.gross, 0) + coalesce(r.refunded, 0), coalesce(v.visits, 0), $run_id
FROM win w
LEFT JOIN bought b USING (customer_id)
LEFT JOIN refunds r USING (customer_id)
LEFT JOIN visits v USING (customer_id);

DROP TABLE campaign_windows;
