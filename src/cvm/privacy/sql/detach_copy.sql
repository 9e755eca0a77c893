-- Detach the copy before it replaces the database file.
DETACH _cvm_compact;
