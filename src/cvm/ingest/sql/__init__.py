"""SQL files of the ingest package, loaded with ``cvm.engines.sql_file(__package__, name)``."""
