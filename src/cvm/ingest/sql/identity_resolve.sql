-- Identity resolution as connected components over (source, source_id) nodes.
-- Input: _id_batch_nodes(source, source_id, first_seen) and _id_batch_edges(a_source, a_id,
-- b_source, b_id) for one load. Existing groups touched by the batch join the graph: every
-- identity is linked to a '#customer' node for its customer id, every pending link to a '#group'
-- node. A ('user', U) node is customer U; an alias previousId is the same person as the userId or
-- anonymousId spelled alike. Each component's survivor is its earliest-first-seen customer. Only
-- ids with a real link (a userId, an identify/alias pairing, a stored identity) are stored.

-- name: touched_keys
-- The batch's ids and the ids equal to them in another source (see the 'same' edges below).
CREATE OR REPLACE TEMP TABLE _id_keys AS
SELECT source, source_id FROM _id_batch_nodes
UNION
SELECT s.other, n.source_id
FROM _id_batch_nodes AS n
JOIN (VALUES ('user', 'alias'), ('alias', 'user'), ('alias', 'anonymous'), ('anonymous', 'alias'))
    AS s (source, other) ON s.source = n.source;

-- name: nodes
-- Every real node of the touched components with its earliest sighting.
CREATE OR REPLACE TEMP TABLE _id_nodes AS
WITH merged_users AS (
    -- userIds merged away without an identity of their own (merge_customers on a CRM id)
    SELECT m.from_customer_id, m.into_customer_id
    FROM customer_merges AS m
    JOIN _id_keys AS k ON k.source = 'user' AND k.source_id = m.from_customer_id
),
touched_customers AS (
    SELECT DISTINCT i.customer_id
    FROM identities AS i
    JOIN _id_keys AS k ON k.source = i.source AND k.source_id = i.source_id
    UNION
    SELECT m.into_customer_id FROM merged_users AS m
),
touched_groups AS (
    SELECT DISTINCT l.group_key
    FROM identity_links AS l
    JOIN _id_keys AS k ON k.source = l.source AND k.source_id = l.source_id
),
everything AS (
    SELECT source, source_id, first_seen, NULL AS customer_id, NULL AS group_key
    FROM _id_batch_nodes
    UNION ALL
    SELECT i.source, i.source_id, i.first_seen, i.customer_id, NULL
    FROM identities AS i
    WHERE i.customer_id IN (SELECT customer_id FROM touched_customers)
    UNION ALL
    SELECT l.source, l.source_id, l.first_seen, NULL, l.group_key
    FROM identity_links AS l
    WHERE l.group_key IN (SELECT group_key FROM touched_groups)
    UNION ALL
    SELECT 'user', from_customer_id, NULL, into_customer_id, NULL FROM merged_users
)
SELECT
    row_number() OVER (ORDER BY source, source_id) AS node_id,
    source,
    source_id,
    min(first_seen) AS first_seen,
    max(customer_id) AS current_customer,        -- one row per key in identities
    max(group_key) AS current_group,
    bool_or(customer_id IS NOT NULL OR group_key IS NOT NULL OR source = 'user'
        OR (source, source_id) IN (SELECT (a_source, a_id) FROM _id_batch_edges)
        OR (source, source_id) IN (SELECT (b_source, b_id) FROM _id_batch_edges)) AS linked
FROM everything
GROUP BY source, source_id;

-- name: pseudo_nodes
-- '#customer' nodes (existing customer ids and every userId) and '#group' nodes.
INSERT INTO _id_nodes
WITH pseudo AS (
    SELECT DISTINCT '#customer' AS source, current_customer AS source_id
    FROM _id_nodes WHERE current_customer IS NOT NULL
    UNION
    SELECT '#customer', source_id FROM _id_nodes WHERE source = 'user'
    UNION
    SELECT '#group', current_group FROM _id_nodes WHERE current_group IS NOT NULL
)
SELECT
    (SELECT max(node_id) FROM _id_nodes) + row_number() OVER (ORDER BY source, source_id),
    source,
    source_id,
    NULL,
    NULL,
    NULL,
    FALSE
FROM pseudo;

-- name: edges
-- Both directions of every edge, as node ids.
CREATE OR REPLACE TEMP TABLE _id_edges AS
WITH named AS (
    SELECT a_source, a_id, b_source, b_id FROM _id_batch_edges
    UNION ALL
    SELECT source, source_id, '#customer', current_customer
    FROM _id_nodes WHERE current_customer IS NOT NULL
    UNION ALL
    SELECT source, source_id, '#group', current_group
    FROM _id_nodes WHERE current_group IS NOT NULL
    UNION ALL
    SELECT 'user', source_id, '#customer', source_id
    FROM _id_nodes WHERE source = 'user'
    UNION ALL
    -- 'same' edges: an alias previousId is the userId or the anonymousId spelled alike
    SELECT x.source, x.source_id, 'alias', a.source_id
    FROM _id_nodes AS x
    JOIN _id_nodes AS a ON a.source = 'alias' AND a.source_id = x.source_id
    WHERE x.source IN ('user', 'anonymous')
),
ids AS (
    SELECT na.node_id AS a, nb.node_id AS b
    FROM named AS e
    JOIN _id_nodes AS na ON na.source = e.a_source AND na.source_id = e.a_id
    JOIN _id_nodes AS nb ON nb.source = e.b_source AND nb.source_id = e.b_id
    WHERE na.node_id <> nb.node_id
)
SELECT a, b FROM ids
UNION
SELECT b, a FROM ids;

-- name: labels_init
CREATE OR REPLACE TEMP TABLE _id_labels AS
SELECT node_id, node_id AS comp FROM _id_nodes;

-- name: labels_step
-- One round of min-label propagation (each node takes the smallest label among its neighbours).
CREATE OR REPLACE TEMP TABLE _id_labels_next AS
SELECT l.node_id, least(l.comp, coalesce(min(n.comp), l.comp)) AS comp
FROM _id_labels AS l
LEFT JOIN _id_edges AS e ON e.a = l.node_id
LEFT JOIN _id_labels AS n ON n.node_id = e.b
GROUP BY l.node_id, l.comp;

-- name: labels_changed
SELECT count(*)
FROM _id_labels_next AS x
JOIN _id_labels AS l USING (node_id)
WHERE x.comp <> l.comp;

-- name: labels_swap
CREATE OR REPLACE TEMP TABLE _id_labels AS SELECT * FROM _id_labels_next;

-- name: survivors
-- The survivor of a component: its customer id first seen earliest (ties: smallest id).
-- A customer's first sighting is that of its userId (its customers row when it has none).
CREATE OR REPLACE TEMP TABLE _id_resolved AS
WITH candidates AS (
    SELECT
        l.comp,
        c.source_id AS customer_id,
        coalesce(u.first_seen, cu.first_seen) AS seen
    FROM _id_nodes AS c
    JOIN _id_labels AS l USING (node_id)
    LEFT JOIN _id_nodes AS u ON u.source = 'user' AND u.source_id = c.source_id
    LEFT JOIN customers AS cu ON cu.customer_id = c.source_id
    WHERE c.source = '#customer'
),
survivor AS (
    SELECT
        comp,
        arg_min(customer_id, (coalesce(seen, TIMESTAMP '9999-12-31'), customer_id)) AS customer_id
    FROM candidates
    GROUP BY comp
)
SELECT
    n.source,
    n.source_id,
    n.first_seen,
    n.current_customer,
    n.linked,
    CASE WHEN n.source = 'user' THEN coalesce(n.current_customer, n.source_id)
        ELSE n.current_customer END AS current_label,
    l.comp,
    s.customer_id
FROM _id_nodes AS n
JOIN _id_labels AS l USING (node_id)
LEFT JOIN survivor AS s USING (comp)
WHERE n.source NOT LIKE '#%';

-- name: merge_map
-- Every customer id a component held before this load that is not its survivor.
CREATE OR REPLACE TEMP TABLE _id_merge_map AS
SELECT DISTINCT current_label AS from_id, customer_id AS into_id
FROM _id_resolved
WHERE customer_id IS NOT NULL AND current_label IS NOT NULL AND current_label <> customer_id;

-- name: identities_update
UPDATE identities AS i
SET customer_id = r.customer_id, first_seen = least(i.first_seen, r.first_seen)
FROM _id_resolved AS r
WHERE r.customer_id IS NOT NULL
    AND i.source = r.source AND i.source_id = r.source_id
    AND (i.customer_id <> r.customer_id OR i.first_seen IS DISTINCT FROM least(i.first_seen, r.first_seen));

-- name: identities_insert
INSERT INTO identities (source, source_id, customer_id, first_seen, load_id)
SELECT r.source, r.source_id, r.customer_id, r.first_seen, $load_id
FROM _id_resolved AS r
WHERE r.customer_id IS NOT NULL AND r.linked
    AND NOT EXISTS (
        SELECT 1 FROM identities AS i WHERE i.source = r.source AND i.source_id = r.source_id
    );

-- name: links_delete
DELETE FROM identity_links AS l
WHERE EXISTS (
    SELECT 1 FROM _id_resolved AS r WHERE r.source = l.source AND r.source_id = l.source_id
);

-- name: links_insert
-- Components with no customer yet but more than one id wait here for one.
INSERT INTO identity_links (source, source_id, group_key, first_seen, load_id)
WITH pending AS (
    SELECT *, count(*) OVER (PARTITION BY comp) AS size,
        min(source || ':' || source_id) OVER (PARTITION BY comp) AS group_key
    FROM _id_resolved
    WHERE customer_id IS NULL AND linked
)
SELECT source, source_id, group_key, first_seen, $load_id
FROM pending
WHERE size > 1;
