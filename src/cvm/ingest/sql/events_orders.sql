-- "Order Completed" and "Order Refunded" track events (Segment e-commerce spec) staged as
-- canonical transaction rows for the shared transaction loader; _line/_raw point at the event.
-- Orders of this load, and orders placed anonymously before that this load linked to a customer.

-- name: any
-- Whether this load may make orders at all (checked first: the staging reads the store).
SELECT EXISTS (
    SELECT 1 FROM _ev_new WHERE type = 'track' AND event IN ('Order Completed', 'Order Refunded')
) OR EXISTS (SELECT 1 FROM _ev_relinked WHERE previous_customer IS NULL);

-- name: stage
CREATE OR REPLACE TEMP TABLE _ev_orders AS
WITH o AS (
    SELECT
        n.line,
        coalesce(r.raw, e.properties::VARCHAR) AS raw,
        e.message_id,
        e.event,
        e.ts,
        coalesce(
            n.channel,
            nullif(trim(coalesce(e.properties ->> 'channel', e.context ->> 'channel')), '')
        ) AS channel,
        e.customer_id,
        e.properties AS p,
        nullif(trim(coalesce(e.properties ->> 'order_id', e.properties ->> 'orderId')), '')
            AS order_id,
        coalesce(
            try_cast(e.properties ->> 'total' AS DOUBLE),
            try_cast(e.properties ->> 'revenue' AS DOUBLE)
        ) AS total,
        upper(nullif(trim(e.properties ->> 'currency'), '')) AS currency
    FROM events AS e
    LEFT JOIN _ev_new AS n ON n.message_id = e.message_id
    LEFT JOIN _ev_rows AS r ON r.line = n.line
    WHERE e.type = 'track' AND e.event IN ('Order Completed', 'Order Refunded')
        AND (
            e.load_id = $load_id
            OR e.message_id IN (
                SELECT message_id FROM _ev_relinked WHERE previous_customer IS NULL
            )
        )
)
SELECT
    CASE WHEN o.event = 'Order Completed' THEN o.order_id
        ELSE coalesce(
            nullif(trim(o.p ->> 'refund_id'), ''),
            o.order_id || '-refund-' || o.message_id
        ) END AS transaction_id,
    o.customer_id,
    o.ts::TIMESTAMPTZ AS ts,                -- an instant: UTC whatever the source zone
    CASE WHEN o.event = 'Order Completed' THEN o.total
        ELSE -abs(coalesce(o.total, t.amount)) END AS amount,
    CASE WHEN o.event = 'Order Refunded' AND o.total IS NULL THEN t.currency
        ELSE o.currency END AS currency,
    o.channel,
    o.event = 'Order Refunded' AS is_refund,
    CASE WHEN o.event = 'Order Refunded' THEN o.order_id END AS refund_of,
    o.line AS _line,
    o.raw AS _raw
FROM o
LEFT JOIN (
    -- the refunded order's amount when the refund names none: stored, or in this same file
    SELECT transaction_id, any_value(amount) AS amount, $workspace_currency AS currency
    FROM transactions
    WHERE NOT is_refund
    GROUP BY transaction_id
    UNION ALL
    SELECT order_id, any_value(total), any_value(currency)
    FROM o
    WHERE event = 'Order Completed' AND order_id NOT IN (SELECT transaction_id FROM transactions)
    GROUP BY order_id
) AS t ON o.event = 'Order Refunded' AND o.total IS NULL AND t.transaction_id = o.order_id;


-- name: stage_items
-- The products[] of this load's "Order Completed" events as canonical order lines (Segment
-- e-commerce spec: product_id or sku, category, quantity (default 1), price per unit).
CREATE OR REPLACE TEMP TABLE _ev_items AS
WITH lines AS (
    SELECT
        n.line,
        coalesce(r.raw, e.properties::VARCHAR) AS raw,
        e.properties AS p,
        unnest(range(json_array_length(e.properties -> 'products')::BIGINT)) AS i
    FROM events AS e
    JOIN _ev_new AS n ON n.message_id = e.message_id
    LEFT JOIN _ev_rows AS r ON r.line = n.line
    WHERE e.type = 'track' AND e.event = 'Order Completed' AND e.load_id = $load_id
        AND json_type(e.properties -> 'products') = 'ARRAY'
)
SELECT
    nullif(trim(coalesce(p ->> 'order_id', p ->> 'orderId')), '') AS transaction_id,
    CAST(i + 1 AS VARCHAR) AS line_no,
    coalesce((p -> 'products' -> i) ->> 'product_id', (p -> 'products' -> i) ->> 'sku',
        (p -> 'products' -> i) ->> 'name') AS product_id,
    (p -> 'products' -> i) ->> 'category' AS category,
    coalesce((p -> 'products' -> i) ->> 'quantity', '1') AS quantity,
    (p -> 'products' -> i) ->> 'price' AS unit_price,
    upper(nullif(trim(p ->> 'currency'), '')) AS currency,
    line AS _line,
    raw AS _raw
FROM lines
