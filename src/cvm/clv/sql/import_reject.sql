-- The refused rows of an imported run, with their file, position and reason.
INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
SELECT $run_id, 'scores', import_file, import_line,
    to_json(struct_pack(customer_id, frequency, recency, t, monetary, expected_purchases,
        p_alive, expected_spend, clv, clv_lower, clv_upper))::VARCHAR,
    reason
FROM import_checked
WHERE reason IS NOT NULL
