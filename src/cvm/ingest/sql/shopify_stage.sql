-- Shopify order rows with `skipped` marking line-item rows after an order's first row.
CREATE OR REPLACE TEMP TABLE _cvm_shop AS
SELECT *, k > 1 AND _cvm_text(amount_text) IS NULL AND amount_num IS NULL AS skipped
FROM (
    SELECT *, row_number() OVER (PARTITION BY transaction_id ORDER BY _seq) AS k
    FROM __input__ AS _cvm_shop_in
);
