"""The engine seam: named parameters, registered frames, nested transactions, Parquet, holes."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlglot

from cvm._exceptions import CvmError
from cvm.engines import Capability, Engine, EngineError, Query, fill
from cvm.engines.sql import column_list
from cvm.workspace import Workspace


@pytest.fixture
def engine(tmp_path) -> Engine:
    ws = Workspace.create(tmp_path / "ws")
    yield ws.engine
    ws.close()


def test_named_parameters_are_bound_not_formatted(engine):
    hostile = "x'; DROP TABLE customers; --"
    assert engine.scalar("SELECT $v", {"v": hostile}) == hostile
    assert "customers" in set(engine.tables())


def test_registered_frame_is_readable_only_inside_the_block(engine):
    with engine.register("t", pd.DataFrame({"x": [1, 2, 4]})):
        assert engine.scalar("SELECT sum(x) FROM t") == 7
    with pytest.raises(Exception, match="t"):
        engine.scalar("SELECT sum(x) FROM t")


def test_nested_transaction_joins_the_outer_one_and_rolls_back_whole(engine):
    engine.run("CREATE TABLE z (x INTEGER)")
    with pytest.raises(RuntimeError), engine.transaction():
        engine.run("INSERT INTO z VALUES (1)")
        with engine.transaction():
            engine.run("INSERT INTO z VALUES (2)")
        raise RuntimeError("boom")
    assert engine.scalar("SELECT count(*) FROM z") == 0
    with engine.transaction(), engine.transaction():
        engine.run("INSERT INTO z VALUES (3)")
    assert engine.rows("SELECT x FROM z") == [(3,)]


def test_parquet_written_partitioned_round_trips(engine, tmp_path):
    engine.run("CREATE TABLE s AS SELECT i AS x, i % 2 AS part FROM range(10) t(i)")
    engine.write_parquet("SELECT * FROM s", tmp_path / "out", partition_by=["part"])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["part=0", "part=1"]
    back = pd.read_parquet(tmp_path / "out")
    assert sorted(back["x"].tolist()) == list(range(10))


def test_fill_quotes_a_column_and_expands_a_list(engine):
    text = "SELECT __cols__, count(*) AS n FROM __src__ AS s GROUP BY __cols__"
    query = Query("t", "t.sql", text)
    source = sqlglot.parse_one('SELECT 1 AS "a b", 2 AS c UNION ALL SELECT 1, 3')
    tree = fill(query, cols=column_list(["a b"]), src=source)
    assert engine.rows(tree) == [(1, 2)]
    hostile = fill(Query("t", "t.sql", "SELECT __c__ FROM (SELECT 1 AS x) AS s"), c="x; DROP")
    with pytest.raises(Exception, match="x; DROP"):
        engine.rows(hostile)
    assert "customers" in set(engine.tables())


def test_fill_names_a_missing_placeholder():
    with pytest.raises(CvmError, match="__nope__"):
        fill(Query("t", "t.sql", "SELECT 1 AS x"), nope="x")


def test_capability_refused_up_front_names_the_engine(engine):
    assert engine.supports(Capability.CSV_SNIFF)

    class Bare(type(engine)):
        name = "bare"
        capabilities = frozenset()

    with pytest.raises(EngineError, match="bare engine"):
        Bare(engine.native).require(Capability.CSV_SNIFF, "reading a CSV file")


def test_select_item_renames_its_parameter_per_copy(engine):
    from cvm.engines import select_item

    template = Query("t", "t.sql", "SELECT coalesce($v, 0) + 1 AS x FROM (SELECT 1) AS s")
    items = [select_item(template, f"x{i}", v=f"v{i}") for i in range(3)]
    tree = fill(Query("t", "t.sql", "SELECT __items__ FROM (SELECT 1) AS s"), items=items)
    assert engine.rows(tree, {"v0": 10, "v1": None, "v2": 2}) == [(11, 1, 3)]
    with pytest.raises(CvmError, match="not a SELECT"):
        select_item(Query("t", "t.sql", "DROP TABLE x"), "y")


def test_script_binds_each_statement_to_the_parameters_it_names(engine):
    text = (
        "CREATE TEMP TABLE s1 AS SELECT $a AS a;\n"
        "INSERT INTO s1 SELECT $b;\n"
        "CREATE TEMP TABLE s2 AS SELECT sum(a) AS total FROM s1;"
    )
    engine.script(Query("t", "t.sql", text), {"a": 2, "b": 5})
    assert engine.scalar("SELECT total FROM s2") == 7
    with pytest.raises(EngineError, match=r"\$b"):
        engine.script(Query("t", "t.sql", "SELECT $b"), {"a": 1})


def test_a_file_ending_in_a_semicolon_embeds_in_copy_view_and_table(engine, tmp_path):
    """SQL files end statements with ';': embedding one must not carry it into COPY (...)."""
    query = Query("t", "t.sql", "SELECT $v AS x;\n")
    engine.write_parquet(query, tmp_path / "x.parquet", {"v": 7})
    assert pd.read_parquet(tmp_path / "x.parquet")["x"].tolist() == [7]
    engine.materialize("kept", query, {"v": 8})
    engine.view("seen", Query("t", "t.sql", "SELECT 9 AS x;"))
    assert engine.rows("SELECT x FROM kept UNION ALL SELECT x FROM seen ORDER BY x") == [(8,), (9,)]
