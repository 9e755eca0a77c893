-- The stored plan $run_id.
SELECT * FROM plan_runs WHERE run_id = $run_id
