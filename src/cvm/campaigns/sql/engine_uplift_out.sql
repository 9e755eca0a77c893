-- Uplift scores as written: one row per customer, tagged with the run and its as-of day.
SELECT *, $run_id AS run_id, $as_of AS as_of FROM uplift_scores
