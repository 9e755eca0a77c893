-- The planning day of plan $run_id.
SELECT as_of FROM plan_runs WHERE run_id = $run_id
