-- Shopify order export -> transactions: the first row of each order (later rows of an order
-- are its other line items), plus one refund row per refunded order, linked by refund_of.
SELECT * EXCLUDE (k)
FROM (
    SELECT
        transaction_id, customer_id, ts_text, ts_naive, ts_utc, amount_text, amount_num,
        currency, channel, NULL::VARCHAR AS is_refund, NULL::VARCHAR AS refund_of,
        2 * _seq AS _seq, _rec, _line, _raw, k
    FROM _cvm_shop
    WHERE NOT skipped
    UNION ALL
    SELECT
        transaction_id || '-refund', customer_id, ts_text, ts_naive, ts_utc,
        coalesce(_cvm_text(refunded_amount), amount_text), amount_num,
        currency, channel, 'true', transaction_id,
        2 * _seq + 1, _rec, _line, _raw, k
    FROM _cvm_shop
    WHERE NOT skipped AND lower(trim(financial_status)) IN ('refunded', 'partially_refunded')
) AS shop_rows;
