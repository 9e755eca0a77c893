"""A scratch engine: private, in memory, closed after its block."""

from __future__ import annotations

import pandas as pd
import pytest

from cvm.engines import scratch_engine


def test_scratch_engine_reads_and_writes_parquet_apart_from_any_workspace(tmp_path):
    path = tmp_path / "x.parquet"
    pd.DataFrame({"x": [1, 2, 4]}).to_parquet(path)
    out = tmp_path / "y.parquet"
    with scratch_engine() as engine:
        assert engine.scalar("SELECT sum(x) FROM read_parquet($f)", {"f": str(path)}) == 7
        engine.write_parquet("SELECT x FROM read_parquet($f) WHERE x > 1", out, {"f": str(path)})
        assert sorted(pd.read_parquet(out)["x"]) == [2, 4]
        assert list(engine.tables()) == []
    with pytest.raises(engine.error):
        engine.scalar("SELECT 1")


def test_batches_stream_without_holding_the_whole_result():
    """A result read as batches is not first held whole and then copied (the driver warns
    when it is), so publishing a large table needs memory for a batch, not the table."""
    import warnings

    with scratch_engine() as engine:
        engine.run("CREATE TABLE t AS SELECT range AS x FROM range(250000)")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            reader = engine.batches("SELECT x FROM t WHERE x >= $lo", {"lo": 1000}, rows=50_000)
            sizes = [batch.num_rows for batch in reader]
    assert sum(sizes) == 249_000
    assert max(sizes) <= 50_000
