-- The first cutoff after the day $day of a CLV run with scores and of a segments run (NULL
-- when there is none): what the report can offer when nothing exists on or before that day.
SELECT
    (SELECT min(CAST(r.cutoff AS DATE)) FROM model_runs AS r
     WHERE r.kind = 'clv' AND CAST(r.cutoff AS DATE) > $day
         AND EXISTS (SELECT 1 FROM scores AS s WHERE s.run_id = r.run_id AND s.clv IS NOT NULL))
        AS clv,
    (SELECT min(CAST(r.cutoff AS DATE)) FROM model_runs AS r
     WHERE r.kind = 'segments' AND CAST(r.cutoff AS DATE) > $day) AS segments;
