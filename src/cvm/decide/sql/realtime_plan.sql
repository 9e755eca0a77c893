-- The newest stored plan: its budget, what it spent and its channel capacities.
SELECT run_id, budget, spent, capacities, created_at
FROM plan_runs
ORDER BY created_at DESC, run_id DESC
LIMIT 1
