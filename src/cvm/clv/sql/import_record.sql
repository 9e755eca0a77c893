-- A run's record as written beside its scores (model, parameters, metrics).
SELECT model, CAST(params AS VARCHAR) AS params, CAST(metrics AS VARCHAR) AS metrics
FROM read_parquet($files)
LIMIT 1
