-- Exports with a status per row (CRM deals, shop orders, payments) -> the shape of the Shopify
-- stage: `skipped` marks rows whose status is not a purchase ($statuses, lower-case), and a
-- refunded amount above zero marks the row for a linked refund row (shopify_transactions.sql).
-- $by_email: the customer column names a contact ("Jane Doe (jane@example.com)"); its e-mail
-- is resolved to a customer id through identities, then customers, else kept as the id.
CREATE OR REPLACE TEMP TABLE _cvm_shop AS
WITH staged AS (
    SELECT
        *,
        CASE WHEN $by_email
            THEN lower(nullif(regexp_extract(customer_id, '[^\s()<>;,"]+@[^\s()<>;,"]+'), ''))
        END AS _email
    FROM __input__ AS _cvm_shop_in
)
SELECT
    * EXCLUDE (_email) REPLACE (
        CASE
            WHEN NOT $by_email THEN customer_id
            ELSE coalesce(
                (SELECT min(i.customer_id) FROM identities AS i
                    WHERE i.source = 'email' AND i.source_id = staged._email),
                (SELECT min(c.customer_id) FROM customers AS c
                    WHERE lower(trim(c.email)) = staged._email),
                staged._email
            )
        END AS customer_id,
        CASE WHEN _cvm_num(refunded_amount, NULL::DOUBLE) > 0 THEN 'refunded' END
            AS financial_status
    ),
    NOT coalesce(list_contains($statuses, lower(_cvm_text(financial_status))), FALSE) AS skipped,
    1 AS k
FROM staged;
