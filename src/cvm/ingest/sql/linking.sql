-- Identities revealed by a vendor-profile file load: the customer id of each row is a customer
-- ('user' node), linked to its e-mail (a customer file's email column; an order file's buyer
-- e-mail or a customer id that is an e-mail) and to the shop's own customer number (source =
-- the profile). Feeds resolve_batch (identity_resolve.sql) through _id_batch_nodes/_edges.

-- name: from_customers
-- Input: _cvm_cu_rows, the checked rows of a customers load.
CREATE OR REPLACE TEMP TABLE _id_pairs AS
SELECT customer_id, first_seen AS seen, 'email' AS source, lower(trim(email)) AS source_id
FROM _cvm_cu_rows
WHERE reason IS NULL AND nullif(trim(email), '') IS NOT NULL;

-- name: from_orders
-- Input: _id_order_src (customer_id, customer_email, customer_number) re-read from the file,
-- _cvm_tx_rows for each customer's first order. $source: the shop (the profile name).
CREATE OR REPLACE TEMP TABLE _id_pairs AS
WITH firsts AS (
    SELECT customer_id, min(ts) AS seen FROM _cvm_tx_rows WHERE reason IS NULL GROUP BY 1
),
src AS (
    SELECT DISTINCT s.customer_id, s.customer_email, s.customer_number, f.seen
    FROM _id_order_src AS s
    JOIN firsts AS f USING (customer_id)
)
SELECT customer_id, seen, 'email' AS source, lower(customer_email) AS source_id
FROM src WHERE customer_email LIKE '%@%'
UNION
SELECT customer_id, seen, 'email', lower(customer_id) FROM src WHERE customer_id LIKE '%@%'
UNION
SELECT customer_id, seen, $source, customer_number
FROM src WHERE customer_number IS NOT NULL AND customer_number NOT IN ('0', '');

-- name: batch_nodes
CREATE OR REPLACE TEMP TABLE _id_batch_nodes AS
SELECT 'user' AS source, customer_id AS source_id, min(seen) AS first_seen
FROM _id_pairs GROUP BY customer_id
UNION ALL
SELECT source, source_id, min(seen) FROM _id_pairs GROUP BY source, source_id;

-- name: batch_edges
CREATE OR REPLACE TEMP TABLE _id_batch_edges AS
SELECT DISTINCT 'user' AS a_source, customer_id AS a_id, source AS b_source, source_id AS b_id
FROM _id_pairs;

-- name: repoint_map
-- Customer ids of this load that identities now resolve to another customer.
CREATE OR REPLACE TEMP TABLE _id_merge_map AS
SELECT DISTINCT b.source_id AS from_id, i.customer_id AS into_id
FROM _id_batch_nodes AS b
JOIN identities AS i ON i.source = 'user' AND i.source_id = b.source_id
WHERE b.source = 'user' AND i.customer_id <> b.source_id;
