-- Item-to-item co-purchase associations from order_items as of $as_of: for every ordered pair
-- (a, b) bought in the same order, support = P(a and b), confidence = P(b | a),
-- lift = confidence / P(b). Refunds are left out. Parameters: $as_of (DATE), $min_count
-- (orders holding the pair).
CREATE OR REPLACE TEMP TABLE product_associations AS
WITH baskets AS (
    SELECT DISTINCT i.transaction_id, i.product_id
    FROM order_items AS i
    JOIN transactions AS t USING (transaction_id)
    WHERE CAST(t.ts AS DATE) <= $as_of AND NOT coalesce(t.is_refund, t.amount < 0)
),
n AS (SELECT count(DISTINCT transaction_id) AS orders FROM baskets),
items AS (SELECT product_id, count(*) AS orders FROM baskets GROUP BY product_id),
pairs AS (
    SELECT a.product_id AS antecedent, b.product_id AS consequent, count(*) AS together
    FROM baskets AS a
    JOIN baskets AS b ON a.transaction_id = b.transaction_id AND a.product_id <> b.product_id
    GROUP BY ALL
    HAVING count(*) >= $min_count
)
SELECT p.antecedent, p.consequent, p.together,
       p.together / n.orders AS support,
       p.together / ia.orders AS confidence,
       (p.together / ia.orders) / (ib.orders / n.orders) AS lift
FROM pairs AS p
CROSS JOIN n
JOIN items AS ia ON ia.product_id = p.antecedent
JOIN items AS ib ON ib.product_id = p.consequent;
