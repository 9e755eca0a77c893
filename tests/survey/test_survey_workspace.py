"""The survey analyses on a simulated business: by value tier, NPS against CLV, the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cvm.cli import app
from cvm.survey import nps_value, value_map
from cvm.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cvm.demo import run_demo

    path = Path(tmp_path_factory.mktemp("survey")) / "ws"
    run_demo(path, n_customers=600, seed=1)
    return path


def test_value_map_by_tier_uses_linked_respondents(demo: Path) -> None:
    with Workspace.open(demo) as ws:
        vm = value_map(ws, by="tier", n_boot=200)
        linked = ws.con.execute(
            "SELECT count(DISTINCT respondent_id) FROM survey_responses s"
            " JOIN scores USING (customer_id)"
        ).fetchall()[0][0]
    sizes = vm.ratios.groupby("group")["respondents"].first()
    assert sizes["all"] == 200
    # tiers of the demo's segments run (top 1% Platinum, 4% Gold, 15% Silver, rest Bronze)
    assert set(sizes.drop("all").index) <= {"Platinum", "Gold", "Silver", "Bronze"}
    assert {"Silver", "Bronze"} <= set(sizes.drop("all").index)
    assert sizes.drop("all").sum() == linked
    assert set(vm.map["brand"]) == {"us", "Competitor A", "Competitor B", "Competitor C"}


def test_value_map_by_a_given_grouping(demo: Path) -> None:
    with Workspace.open(demo) as ws:
        ids = ws.con.execute(
            "SELECT DISTINCT customer_id FROM survey_responses WHERE customer_id IS NOT NULL"
        ).fetchall()
        labels = pd.Series({c[0]: ("even" if i % 2 else "odd") for i, c in enumerate(ids)})
        vm = value_map(ws, by=labels, n_boot=100)
    assert set(vm.ratios["group"]) == {"all", "even", "odd"}


def test_nps_against_clv(demo: Path) -> None:
    with Workspace.open(demo) as ws:
        table = nps_value(ws)
    classes = table.drop(index="all")
    total = int(table.loc["all", "respondents"])
    assert int(classes["respondents"].sum()) == total
    assert total > 0
    assert ((classes["churn_risk"] >= 0) & (classes["churn_risk"] <= 1)).all()


def test_cli_value_map_nps_and_charts(demo: Path, runner, tmp_path: Path) -> None:
    out = tmp_path / "charts"
    result = runner.invoke(
        app, ["survey", "value-map", "-w", str(demo), "--by", "tier", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Competitor A" in result.output and "tier Bronze" in result.output
    assert (out / "value_map_all.html").exists() and (out / "value_map_Bronze.html").exists()
    result = runner.invoke(app, ["survey", "nps", "-w", str(demo), "--value", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "CLV and churn risk by NPS class" in result.output
    assert (out / "nps.html").exists() and (out / "nps_value.html").exists()


def test_cli_errors_are_one_line(runner, workspace: Workspace) -> None:
    result = runner.invoke(app, ["survey", "nps", "-w", str(workspace.path)])
    assert result.exit_code == 1
    assert "no survey answers" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["survey", "csat", "-w", str(workspace.path)])
    assert result.exit_code == 1
