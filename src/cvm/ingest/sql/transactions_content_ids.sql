-- Ids of the id-less rows of this load: the MD5 of the content key and the row's occurrence
-- among the identical id-less rows of the file, in line order (README, "Rows without an order
-- id"): two identical purchases are two rows, a reload or an overlapping export adds nothing.
UPDATE __rows__ AS t
SET transaction_id = _cvm_content_id(k.content_key, k.occurrence)
FROM (
    SELECT
        _seq,
        _cvm_content_key(customer_id, ts, signed_amount, currency) AS content_key,
        row_number() OVER (
            PARTITION BY customer_id, ts, signed_amount, currency ORDER BY _seq
        ) AS occurrence
    FROM __rows__
    WHERE transaction_id IS NULL
) AS k
WHERE t._seq = k._seq;
