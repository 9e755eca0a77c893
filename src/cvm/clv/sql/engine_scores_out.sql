-- Scores as written: one row per customer, tagged with the run that made them.
SELECT *, $run_id AS run_id, $cutoff AS cutoff FROM clv_scores
