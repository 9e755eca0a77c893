-- The newest stored plan.
SELECT run_id FROM plan_runs ORDER BY created_at DESC, run_id DESC LIMIT 1
