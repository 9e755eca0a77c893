"""Output and input locations: a cluster's URI keeps its '//', a local folder is absolute."""

from __future__ import annotations

import inspect
import typing
from pathlib import Path

import pytest

from cvm.cli import _spark
from cvm.engines import location


@pytest.mark.parametrize(
    ("base", "parts", "expected"),
    [
        ("hdfs:///shop/results", ("kpis",), "hdfs:///shop/results/kpis"),
        ("s3a://bucket/cvm/", ("uplift", "CMP0001"), "s3a://bucket/cvm/uplift/CMP0001"),
        ("abfss://c@acct.dfs.core.windows.net/x", (), "abfss://c@acct.dfs.core.windows.net/x"),
    ],
)
def test_a_uri_stays_text_with_its_double_slash(base, parts, expected):
    assert location(base, *parts) == expected


def test_a_local_folder_is_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    got = location("shop/results", "kpis", "run_id=1")
    assert isinstance(got, Path) and got.is_absolute()
    assert got == tmp_path / "shop" / "results" / "kpis" / "run_id=1"


def test_the_command_options_for_folders_are_text_so_a_uri_survives_parsing():
    # a Path option would turn hdfs:///shop into hdfs:/shop before any code sees it
    for option in (_spark.InputOption, _spark.ResultsOption):
        assert typing.get_args(option)[0] == str | None
    assert "str | None" in str(inspect.signature(_spark.spark_engine).parameters["output"])
