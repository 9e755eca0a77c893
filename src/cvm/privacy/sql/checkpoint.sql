-- Write the WAL into the database file before it is copied.
CHECKPOINT;
