-- Every stored plan, newest first, without its catalog and curve.
SELECT run_id, as_of, budget, method, customers, offers, chosen, spent, objective,
       expected_value, bound, gap, created_at
FROM plan_runs
ORDER BY created_at DESC, run_id DESC
