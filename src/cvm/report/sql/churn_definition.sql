-- The target and horizon of the churn model that scored segments run $run_id.
SELECT coalesce(c.params ->> 'target', 'purchases'), c.params ->> 'horizon_days'
FROM model_runs AS s
JOIN model_runs AS c ON c.run_id = s.params ->> 'churn_run'
WHERE s.run_id = $run_id;
