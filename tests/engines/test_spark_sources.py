"""Sources on Spark: a Delta table is read as Delta wherever it lives (read as Parquet, its
folder would also yield the files of older versions), and a location Spark cannot read is one
line, not a Java stack trace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cvm._exceptions import ConfigError

pytestmark = pytest.mark.spark


def _parquet(folder: Path) -> Path:
    folder.mkdir(parents=True)
    frame = pd.DataFrame({"customer_id": ["0042", "007"], "amount": [10.0, 0.0]})
    frame.to_parquet(folder / "part-0.parquet", index=False)
    return folder


def test_a_parquet_folder_reads_by_path_and_by_uri(spark: Any, tmp_path: Path) -> None:
    from cvm.engines.spark import SparkEngine

    folder = _parquet(tmp_path / "tx")
    for location in (str(folder), folder.as_uri()):
        engine = SparkEngine(spark, {"transactions": location})
        ids = sorted(engine.frame("SELECT customer_id FROM transactions")["customer_id"])
        assert ids == ["0042", "007"]


@pytest.mark.parametrize("as_uri", [False, True])
def test_a_delta_table_is_read_as_delta_by_path_and_by_uri(
    spark: Any, tmp_path: Path, as_uri: bool
) -> None:
    from cvm.engines.spark import SparkEngine

    folder = _parquet(tmp_path / "table")
    (folder / "_delta_log").mkdir()
    location = folder.as_uri() if as_uri else str(folder)
    # this session has no Delta reader: the read fails saying it was read as Delta
    with pytest.raises(ConfigError, match=r"^transactions: cannot read 'table' as delta: "):
        SparkEngine(spark, {"transactions": location})


def test_a_scheme_without_a_file_system_is_one_line(spark: Any) -> None:
    from cvm.engines.spark import SparkEngine

    with pytest.raises(ConfigError) as caught:
        SparkEngine(spark, {"transactions": "nosuchscheme://bucket/tx"})
    message = str(caught.value)
    assert message.startswith("transactions: cannot read 'tx' as parquet: ")
    assert "nosuchscheme" in message and "\n" not in message and "at org." not in message
