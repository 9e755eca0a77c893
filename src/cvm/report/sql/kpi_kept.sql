-- A table of KPI rows kept on an engine (kpis_on_engine.py), to read back after writing it.
SELECT *
FROM __table__
