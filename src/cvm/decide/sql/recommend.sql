-- Each customer's top $k next products not yet bought: every product a customer bought votes
-- for its consequents with the association's confidence; ties by lift, then product id.
-- Input: product_associations (associations.sql). Parameters: $as_of (DATE), $k,
-- $min_lift (associations at or below it are ignored).
CREATE OR REPLACE TEMP TABLE product_recommendations AS
WITH bought AS (
    SELECT DISTINCT t.customer_id, i.product_id
    FROM order_items AS i
    JOIN transactions AS t USING (transaction_id)
    WHERE CAST(t.ts AS DATE) <= $as_of AND NOT coalesce(t.is_refund, t.amount < 0)
),
scored AS (
    SELECT b.customer_id, a.consequent AS product_id,
           sum(a.confidence) AS score, max(a.lift) AS lift
    FROM bought AS b
    JOIN product_associations AS a ON a.antecedent = b.product_id
    WHERE a.lift > $min_lift
    GROUP BY ALL
),
fresh AS (
    SELECT s.* FROM scored AS s
    ANTI JOIN bought AS b ON b.customer_id = s.customer_id AND b.product_id = s.product_id
)
SELECT customer_id, product_id, score, lift,
       CAST(row_number() OVER (PARTITION BY customer_id ORDER BY score DESC, lift DESC,
                                product_id) AS INTEGER) AS rank
FROM fresh
QUALIFY rank <= $k;
