-- Numbers written 1.234,50 (European exports): thousands dots dropped, the comma a point.
CREATE OR REPLACE TEMP MACRO _cvm_num(txt, num) AS coalesce(num,
    try_cast(replace(replace(_cvm_text(txt), '.', ''), ',', '.') AS DOUBLE))
