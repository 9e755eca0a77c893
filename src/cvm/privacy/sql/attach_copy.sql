-- Attach the new database file $copy, into which the workspace is copied.
ATTACH $copy AS _cvm_compact;
