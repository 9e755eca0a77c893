-- A CLV run's per-customer scores (clv_scores_frame; __columns__ are the score columns).
INSERT INTO scores BY NAME
SELECT $run_id AS run_id, customer_id, $cutoff AS cutoff, __columns__
FROM clv_scores_frame
