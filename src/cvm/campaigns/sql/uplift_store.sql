-- Store the uplift scores of a run (uplift_new, in the table's column order).
INSERT INTO uplift_scores SELECT * FROM uplift_new
