-- The newest CLV run (with scores) and the newest segments run with a cutoff on or before the
-- day $day (inclusive); NULL when there is none.
SELECT
    (SELECT r.run_id FROM model_runs AS r
     WHERE r.kind = 'clv' AND CAST(r.cutoff AS DATE) <= $day
         AND EXISTS (SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id AND s.clv IS NOT NULL)
     ORDER BY r.cutoff DESC, r.created_at DESC, r.run_id DESC LIMIT 1) AS clv_run,
    (SELECT r.run_id FROM model_runs AS r
     WHERE r.kind = 'segments' AND CAST(r.cutoff AS DATE) <= $day
     ORDER BY r.cutoff DESC, r.created_at DESC, r.run_id DESC LIMIT 1) AS segments_run,
    (SELECT r.run_id FROM model_runs AS r
     WHERE r.kind = 'segments' AND CAST(r.cutoff AS DATE) <= $day
     ORDER BY r.cutoff DESC, r.created_at DESC, r.run_id DESC LIMIT 1 OFFSET 1) AS previous_segments_run;
