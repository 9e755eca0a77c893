-- What each question column of a wide export asks (registered as _cvm_svw_map_in).
CREATE OR REPLACE TEMP TABLE _cvm_svw_map AS
SELECT CAST(question AS VARCHAR) AS question, CAST(brand AS VARCHAR) AS brand,
    CAST(attribute AS VARCHAR) AS attribute, CAST(is_importance AS BOOLEAN) AS is_importance
FROM _cvm_svw_map_in
