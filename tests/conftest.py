"""Shared fixtures: a fresh workspace per test and a CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cvm.workspace import Workspace

DATA = Path(__file__).parent / "data"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def cdnow_log() -> pd.DataFrame:
    """The raw CDNOW purchase log (customer_id, ts, amount).

    Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2);
    the 2,357-customer sample distributed by B. Hardie (shipped in lifetimes, MIT).
    """
    raw = pd.read_csv(
        DATA / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "amount"],
    )
    raw["ts"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    return raw[["customer_id", "ts", "amount"]]


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for every ``spark``-marked test (starting one costs seconds)."""
    from cvm.engines.spark import java_missing, spark_session

    if java_missing():
        pytest.fail(java_missing())  # CI has Java 17: its absence is a failure, not a skip
    session = spark_session("local[2]")
    yield session
    session.stop()
