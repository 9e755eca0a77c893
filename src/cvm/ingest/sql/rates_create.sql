-- Exchange rates of this load (digits: minor units of the workspace currency).
CREATE OR REPLACE TEMP TABLE _cvm_rates AS
SELECT CAST(currency AS VARCHAR) AS currency, CAST(rate AS DOUBLE) AS rate,
    CAST(digits AS INTEGER) AS digits
FROM _cvm_rates_in
