-- Once, after the upgrade to stable hashes (migration 0031): the stored transactions get the
-- content hash of today's loader, and rows keyed by the old hash() ('h' and digits) the id a
-- reload now computes (occurrence 1: the old rule kept one row per identical content). The
-- source amount is the stored amount divided back by its currency's rate in cvm.toml.
UPDATE transactions AS t
SET
    content_hash = _cvm_content_hash(
        _cvm_content_key(t.customer_id, t.ts, t.amount / r.rate, t.currency)
    ),
    transaction_id = CASE
        WHEN regexp_full_match(t.transaction_id, 'h[0-9]+')
            THEN _cvm_content_id(
                _cvm_content_key(t.customer_id, t.ts, t.amount / r.rate, t.currency), 1
            )
        ELSE t.transaction_id
    END
FROM _cvm_rates AS r
WHERE r.currency = t.currency;
