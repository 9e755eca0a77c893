"""Ingestion: read source files, validate every row, quarantine the bad ones, load the good."""
