-- Type and check staged order lines (the staged input __input__). Order-level currency may sit on the
-- order's first line only (Shopify); line_no defaults to the line's rank within its order.
CREATE OR REPLACE TEMP TABLE __rows__ AS
WITH parsed AS (
    SELECT
        _seq, _rec, _line, _raw,
        _cvm_text(transaction_id) AS transaction_id,
        _cvm_num(line_no_text, line_no_num) AS line_no_src,
        _cvm_text(line_no_text) AS line_no_text,
        coalesce(_cvm_text(product_id), _cvm_text(product_name)) AS product_id,
        _cvm_text(category) AS category,
        _cvm_num(quantity_text, quantity_num) AS quantity,
        coalesce(_cvm_text(quantity_text), quantity_num::VARCHAR) AS quantity_text,
        _cvm_num(amount_text, amount_num) AS amount_src,
        _cvm_text(amount_text) AS amount_text,
        _cvm_num(unit_price_text, unit_price_num) AS unit_price,
        _cvm_text(unit_price_text) AS unit_price_text,
        _cvm_text(currency) AS currency_src
    FROM __input__ AS staged
),
filled AS (
    SELECT
        *,
        upper(coalesce(
            currency_src, max(currency_src) OVER (PARTITION BY transaction_id), $currency
        )) AS currency,
        coalesce(
            try_cast(line_no_src AS INTEGER),
            row_number() OVER (PARTITION BY transaction_id ORDER BY _seq)
        ) AS line_no,
        coalesce(amount_src, quantity * unit_price) AS line_amount
    FROM parsed
)
SELECT
    f._seq,
    f._rec,
    f._line,
    f._raw,
    f.transaction_id,
    f.line_no,
    f.product_id,
    f.category,
    f.quantity,
    round(f.line_amount * r.rate, r.digits) AS amount, -- at the currency's minor units
    _cvm_content_hash(concat_ws(chr(31), f.transaction_id, f.line_no::VARCHAR, f.product_id,
        printf('%.6f', f.quantity), printf('%.6f', f.line_amount), f.currency)) AS content_hash,
    CASE
        WHEN f.transaction_id IS NULL THEN 'missing transaction id'
        WHEN f.product_id IS NULL THEN 'missing product id'
        WHEN f.line_no_src IS NULL AND f.line_no_text IS NOT NULL
            THEN 'non-numeric line_no: ' || f.line_no_text
        WHEN f.quantity IS NULL AND f.quantity_text IS NULL THEN 'missing quantity'
        WHEN f.quantity IS NULL THEN 'non-numeric quantity: ' || f.quantity_text
        WHEN NOT isfinite(f.quantity) THEN 'non-finite quantity: ' || f.quantity_text
        WHEN f.quantity < 0 THEN 'negative quantity: ' || f.quantity_text
        WHEN f.quantity > _cvm_max_quantity()
            THEN 'quantity out of range: ' || f.quantity_text || ' (expected 0..'
                || printf('%g', _cvm_max_quantity()) || ')'
        WHEN _cvm_num_reason('line_no', f.line_no_src, f.line_no_text, 0, 1e6) IS NOT NULL
            THEN _cvm_num_reason('line_no', f.line_no_src, f.line_no_text, 0, 1e6)
        WHEN _cvm_num_reason('unit price', f.unit_price, f.unit_price_text, -_cvm_max_amount(),
            _cvm_max_amount()) IS NOT NULL
            THEN _cvm_num_reason('unit price', f.unit_price, f.unit_price_text,
                -_cvm_max_amount(), _cvm_max_amount())
        WHEN f.line_amount IS NULL AND f.amount_text IS NULL AND f.unit_price_text IS NULL
            THEN 'missing amount'
        WHEN f.line_amount IS NULL THEN 'non-numeric amount: ' || coalesce(f.amount_text, f.unit_price_text)
        WHEN _cvm_num_reason('amount', f.line_amount, coalesce(f.amount_text, f.unit_price_text),
            -_cvm_max_amount(), _cvm_max_amount()) IS NOT NULL
            THEN _cvm_num_reason('amount', f.line_amount,
                coalesce(f.amount_text, f.unit_price_text), -_cvm_max_amount(), _cvm_max_amount())
        WHEN r.rate IS NULL THEN 'unknown currency: ' || f.currency
        WHEN abs(f.line_amount * r.rate) > _cvm_max_amount()
            THEN 'amount out of range once converted: '
                || coalesce(f.amount_text, f.line_amount::VARCHAR) || ' ' || f.currency
    END AS reason
FROM filled AS f
LEFT JOIN _cvm_rates AS r ON r.currency = f.currency;
