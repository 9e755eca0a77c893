"""Every DuckDB connection a job runs on is capped and spills to a named folder.

The settings are read back from the connection the job holds (``current_setting``), not from
the settings object: a cap that never reached the connection would leave DuckDB's own 80%.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from cvm.engines import scratch_engine
from cvm.engines.duckdb import DEFAULT_MEMORY, memory_size
from cvm.features.summary import summary_source
from cvm.settings import DuckDBSettings
from cvm.workspace import Workspace
from cvm.workspace.connection import connect, locked_memory

UNITS = {"KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0}


def _mib(text: str) -> float:
    number, unit = str(text).split()
    return float(number) * UNITS[unit]


def _ram_share(share: float) -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20 * share


def _settings(con: duckdb.DuckDBPyConnection) -> tuple[float, str]:
    row = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    assert row is not None
    return _mib(row[0]), str(row[1])


def _own_spill() -> str:
    return str(Path(tempfile.gettempdir()) / f"cvm-spill-{os.getpid()}")


def test_the_default_cap_is_one_value_for_settings_and_connections():
    assert DuckDBSettings().memory_limit == DEFAULT_MEMORY == "60%"


def test_a_summary_of_a_file_runs_capped_and_spills_outside_the_current_folder(tmp_path):
    """``rfm_summary("orders.parquet", ...)`` opens its own in-memory database: before, it ran
    under DuckDB's 80% and spilled into ``.tmp`` of whatever folder the user was in."""
    path = tmp_path / "orders.parquet"
    pd.DataFrame({"customer_id": ["007"], "ts": ["2024-01-01"], "amount": [20.0]}).to_parquet(path)
    with summary_source(path) as engine:
        cap, spill = _settings(engine.native)  # type: ignore[attr-defined]
    assert cap == pytest.approx(_ram_share(0.60), rel=0.02)
    assert spill == _own_spill()


def test_a_workspace_job_and_a_request_cursor_carry_the_workspace_cap(tmp_path):
    Workspace.create(tmp_path / "ws").close()
    with open(tmp_path / "ws" / "cvm.toml", "a", encoding="utf-8") as f:
        f.write(
            '\n[duckdb]\nmemory_limit = "900MB"\ntemp_directory = "'
            + str(tmp_path / "spill")
            + '"\n'
        )
    with Workspace.open(tmp_path / "ws") as ws:
        with summary_source(ws) as engine:  # the summary job on a workspace
            cap, spill = _settings(engine.native)  # type: ignore[attr-defined]
        assert cap == pytest.approx(900 / 1.048576, rel=0.01)
        assert spill == str(tmp_path / "spill")
        request = ws.cursor()  # what the service gives each request
        assert _settings(request.con) == (cap, spill)
        request.close()


def test_a_scratch_engine_and_the_rules_sandbox_are_capped():
    with scratch_engine() as engine:
        cap, spill = _settings(engine.native)  # type: ignore[attr-defined]
    assert cap == pytest.approx(_ram_share(0.60), rel=0.02)
    assert spill == _own_spill()
    with scratch_engine("500MB", "/var/tmp/x") as engine:
        assert _settings(engine.native) == (pytest.approx(500 / 1.048576, rel=0.01), "/var/tmp/x")  # type: ignore[attr-defined]
    box = locked_memory()
    try:
        cap, _ = _settings(box)  # no spill folder: it may write no file
        with pytest.raises(duckdb.Error):  # still locked: no statement lifts the cap
            box.execute("SET memory_limit = '20GB'")
    finally:
        box.close()
    assert cap == pytest.approx(_ram_share(0.60), rel=0.02)


def test_a_database_file_spills_beside_itself(tmp_path):
    con = connect(tmp_path / "x.duckdb", memory="1GB")
    try:
        assert _settings(con) == (
            pytest.approx(1000 / 1.048576, rel=0.01),
            f"{tmp_path}/x.duckdb.tmp",
        )
    finally:
        con.close()


def test_a_job_larger_than_its_cap_spills_and_finishes(tmp_path):
    """A sort of ~40 MB of rows under a 24 MB cap: DuckDB writes the excess to the spill folder
    and the result is whole (nothing dropped), where no spill folder would make it fail."""
    spill = tmp_path / "spill"
    con = connect(":memory:", memory="24MB", temp_directory=spill)
    try:
        con.execute("SET threads = 1; SET preserve_insertion_order = true")
        con.execute(
            "CREATE TABLE t AS SELECT range AS k, md5(range::VARCHAR) AS v"
            " FROM range(600000) ORDER BY v"
        )
        total = con.execute("SELECT count(*), sum(k) FROM t").fetchone()
        spilled = spill.exists()  # DuckDB creates it when it first spills
    finally:
        con.close()
    assert total == (600_000, 600_000 * 599_999 // 2)
    assert spilled


def test_a_load_cap_on_an_uncapped_block_gives_back_the_cap_before():
    from cvm.engines.duckdb import memory_limit

    con = connect(":memory:", memory="700MB")
    try:
        before, _ = _settings(con)
        with memory_limit(con, "200MB"):
            assert _settings(con)[0] < 200
        assert _settings(con)[0] == pytest.approx(before, rel=0.01)  # not DuckDB's 80%
    finally:
        con.close()
    assert memory_size(DEFAULT_MEMORY).endswith("MiB")


def test_the_arrow_sandbox_still_runs_rules():
    from cvm.rules.sandbox import _box

    with _box(pa.table({"x": [1, 2, 3]})) as box:
        assert box.scalar("SELECT sum(x) FROM profile") == 6
