-- One run of a model or step; derived tables carry its id.
INSERT INTO model_runs (run_id, kind, model, params, metrics, cutoff)
VALUES ($run_id, $kind, $model, $params, $metrics, $cutoff);
