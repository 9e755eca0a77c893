"""SQL run by the tabular loaders (read with ``cvm._sql.load_sql``)."""
