-- The newest load that refused any row (for `--load last`).
SELECT load_id FROM rejected_rows ORDER BY rejected_at DESC, load_id DESC LIMIT 1;
