"""Ingest's DuckDB-only work is declared: an engine without it is refused before any write."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvm.engines import Capability, DuckDBEngine, EngineError
from cvm.ingest import load_file
from cvm.ingest.reviews import load_reviews
from cvm.ingest.survey_wide import load_survey_wide
from cvm.workspace import Workspace


class _NoSniffing(DuckDBEngine):
    capabilities = frozenset(set(Capability) - {Capability.CSV_SNIFF})


def test_file_loads_declare_the_duckdb_only_work(tmp_path: Path) -> None:
    """An engine without CSV sniffing is refused up front, with one line, before any write."""
    orders = tmp_path / "orders.csv"
    orders.write_text("customer_id,date,amount\nC1,2024-01-01,5\n")
    ws = Workspace.create(tmp_path / "ws")
    try:
        ws.engine = _NoSniffing(ws.engine.native)  # type: ignore[attr-defined]
        for load in (
            lambda: load_file(ws, "transactions", orders),
            lambda: load_survey_wide(ws, orders),
            lambda: load_reviews(ws, orders, source="trustpilot"),
        ):
            with pytest.raises(EngineError, match="csv_sniff"):
                load()
        assert ws.engine.scalar("SELECT count(*) FROM loads") == 0
    finally:
        ws.close()
