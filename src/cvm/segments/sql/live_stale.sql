-- Whether the live table needs a whole rebuild: it is empty, or a row was scored with another
-- run than $run_id (a newer `cvm score`).
SELECT NOT EXISTS (SELECT 1 FROM live_profiles)
    OR EXISTS (SELECT 1 FROM live_profiles WHERE clv_run_id IS DISTINCT FROM $run_id)
