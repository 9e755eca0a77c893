-- A review export's fields as text, with each row's record number.
CREATE OR REPLACE TEMP TABLE _cvm_rv_in AS
SELECT __fields__, __seq__ AS _rec FROM __source__
