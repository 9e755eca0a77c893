-- The key and the columns the rules read, from the workspace table the rules run over.
SELECT __columns__
FROM __table__
