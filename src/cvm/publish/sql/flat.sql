-- A query's result, __source__, with its columns as __columns__ (JSON, lists and structs as
-- text where the file format asks for it).
SELECT __columns__ FROM __source__ AS q;
