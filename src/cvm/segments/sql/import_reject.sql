-- The refused rows of an imported segments run (profile rows and memberships), with their
-- file, position and reason.
INSERT INTO rejected_rows (load_id, kind, source, line, raw, reason)
SELECT $run_id, 'scores', import_file, import_line,
    to_json(struct_pack(customer_id, frequency, recency, t, monetary, expected_purchases,
        p_alive, clv, revenue, rfm, segment, tier, lifecycle, churn_risk, cutoff))::VARCHAR,
    reason
FROM import_checked
WHERE reason IS NOT NULL
UNION ALL
SELECT $run_id, 'segment_members', import_file, import_line,
    to_json(struct_pack(customer_id, segment, cutoff))::VARCHAR, reason
FROM import_members_checked
WHERE reason IS NOT NULL
