"""Every job on a workspace runs under its ``[duckdb]`` memory cap and spills to its folder."""

from __future__ import annotations

import pytest

from cvm._exceptions import ConfigError
from cvm.workspace import Workspace


def _setting(ws: Workspace, name: str) -> str:
    return str(ws.engine.scalar("SELECT current_setting($n)", {"n": name}))


def _mib(text: str) -> float:
    number, unit = text.split()
    return float(number) * {"KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0}[unit]


def test_the_workspace_cap_and_spill_folder_come_from_cvm_toml(tmp_path):
    Workspace.create(tmp_path / "ws").close()
    with open(tmp_path / "ws" / "cvm.toml", "a", encoding="utf-8") as f:
        f.write('\n[duckdb]\nmemory_limit = "700MB"\n')
    with Workspace.open(tmp_path / "ws") as ws:
        assert _mib(_setting(ws, "memory_limit")) == pytest.approx(700 / 1.048576, rel=0.01)
        assert _setting(ws, "temp_directory") == str(tmp_path / "ws" / ".tmp")
    with Workspace.open(tmp_path / "ws", read_only=True) as ws:  # readers are capped too
        assert _mib(_setting(ws, "memory_limit")) == pytest.approx(700 / 1.048576, rel=0.01)


def test_a_load_cap_gives_the_workspace_cap_back(tmp_path):
    Workspace.create(tmp_path / "ws").close()
    with open(tmp_path / "ws" / "cvm.toml", "a", encoding="utf-8") as f:
        f.write('\n[duckdb]\nmemory_limit = "2GB"\n')
    with Workspace.open(tmp_path / "ws") as ws:
        before = _mib(_setting(ws, "memory_limit"))
        with ws.engine.memory_limit("300MB"):
            assert _mib(_setting(ws, "memory_limit")) < 300
        assert _mib(_setting(ws, "memory_limit")) == pytest.approx(before, rel=0.01)


def test_the_default_cap_is_below_duckdbs_own(tmp_path):
    import duckdb

    own = _mib(duckdb.connect().execute("SELECT current_setting('memory_limit')").fetchone()[0])
    with Workspace.create(tmp_path / "ws") as ws:
        assert _mib(_setting(ws, "memory_limit")) == pytest.approx(own * 60 / 80, rel=0.02)


@pytest.mark.parametrize("value", ["lots", "-1GB", "800%", "1GB; SET x=1"])
def test_a_bad_cap_is_one_line(tmp_path, value):
    Workspace.create(tmp_path / "ws").close()
    with open(tmp_path / "ws" / "cvm.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[duckdb]\nmemory_limit = "{value}"\n')
    with pytest.raises(ConfigError, match=r"duckdb\.memory_limit"):
        Workspace.open(tmp_path / "ws")


def test_the_engine_setting_is_checked(tmp_path):
    Workspace.create(tmp_path / "ws").close()
    text = (tmp_path / "ws" / "cvm.toml").read_text()
    (tmp_path / "ws" / "cvm.toml").write_text('engine = "sprak"\n' + text)
    with pytest.raises(ConfigError, match="engine: input should be 'duckdb' or 'spark'"):
        Workspace.open(tmp_path / "ws")


def test_a_share_of_ram_becomes_a_size_every_duckdb_takes():
    """DuckDB 1.4 (the oldest supported) refuses '60%'; the share is turned into MiB first."""
    from cvm.engines.duckdb import memory_size

    size = memory_size("50%")
    assert size.endswith("MiB") and int(size[:-3]) >= 64
    assert memory_size("1.5GB") == "1.5GB"
