"""The demo: a simulated business run through every step cvm has, into a fresh workspace."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvm._exceptions import WorkspaceError
from cvm._progress import Progress, no_progress
from cvm.engines import sql_file
from cvm.workspace import Workspace

MARKER = ".cvm-demo"
DEMO_OFFERS = """
# Offers of the demo business, for `cvm plan` (see README, "Next best action").
[decide]
budget = 1500
margin = 0.30

[decide.capacity]
sms = 300

[[offers]]
id = "winback-email-15"
name = "15% off to come back"
kind = "win-back"
channel = "email"
unit_cost = 0.05
discount = 0.15
eligible = "lifecycle IN ('lapsed', 'at_risk')"
lift = 0.04

[[offers]]
id = "retention-sms"
name = "We miss you (SMS)"
kind = "retention"
channel = "sms"
unit_cost = 0.40
eligible = "lifecycle = 'at_risk' AND clv > 20"
lift = 0.06

[[offers]]
id = "cross-sell-push"
name = "Complete the set"
kind = "cross-sell"
channel = "push"
unit_cost = 0.01
eligible = "orders >= 2"
lift = 0.02

[[offers]]
id = "upsell-email-vip"
name = "Early access for our best customers"
kind = "up-sell"
channel = "email"
unit_cost = 0.05
eligible = "tier IN ('Platinum', 'Gold')"
lift = 0.05
weight = 1.2
"""

LOAD_ORDER = ("customers", "transactions", "order_items", "subscriptions", "surveys")


@dataclass
class DemoResult:
    """What the demo made: the workspace, the loads, and each step's headline figures."""

    path: Path
    loads: list[Any] = field(default_factory=list)
    steps: dict[str, Any] = field(default_factory=dict)
    truth: dict[str, Any] = field(default_factory=dict)


def _fresh_folder(path: Path) -> None:
    """Replace a folder the demo made before; refuse to touch anything else."""
    if not path.exists():
        return
    if (path / MARKER).exists():
        shutil.rmtree(path)
    elif any(path.iterdir()):
        raise WorkspaceError(
            f"{path} exists and was not made by `cvm demo`: choose an empty or new folder"
        )


def run_demo(
    path: str | Path,
    *,
    n_customers: int = 5000,
    seed: int = 0,
    progress: Progress = no_progress,
) -> DemoResult:
    """Simulate a business, load its files, and run every step into a new workspace at ``path``.

    Running it again replaces the workspace it made before (and only such a folder).
    """
    from cvm.datasets import simulate, write_files
    from cvm.ingest import load_file
    from cvm.ingest.events import load_events

    root = Path(path)
    _fresh_folder(root)
    ws = Workspace.create(root, name="demo")
    with open(root / "cvm.toml", "a", encoding="utf-8") as config:
        config.write(DEMO_OFFERS)
    ws.close()
    ws = Workspace.open(root)
    (root / MARKER).write_text("made by cvm demo; `cvm demo` replaces this folder\n")
    result = DemoResult(path=root)
    try:
        progress(0, None, "simulating")
        business = simulate(n_customers, seed=seed)
        files = write_files(business, root / "data")
        result.truth = business.truth
        for kind in LOAD_ORDER:
            progress(0, None, f"loading {kind}")
            result.loads.append(load_file(ws, kind, files[_file_key(kind)]))
        progress(0, None, "loading events")
        result.loads.append(load_events(ws, files["events"]))
        _value_customers(ws, result, progress)
        _segment_customers(ws, result, progress)
        _measure_past_campaign(ws, files, result, progress)
        _plan_next_actions(ws, result, progress)
        _write_report(ws, result, progress)
    finally:
        ws.close()
    return result


def _file_key(kind: str) -> str:
    return "survey_responses" if kind == "surveys" else kind


def _value_customers(ws: Workspace, result: DemoResult, progress: Progress) -> None:
    """CLV: holdout evaluation on the last six months, then a fit and scores as of today."""
    from datetime import timedelta

    from cvm.clv import evaluate, fit_clv, save_run
    from cvm.clv.scoring import last_transaction_day, score_clv
    from cvm.report.charts import (
        calibration_chart,
        clv_distribution_chart,
        tracking_chart,
        write_chart,
    )

    end = last_transaction_day(ws)
    calibration_end = end - timedelta(days=182)
    progress(0, None, "evaluating CLV models on a holdout")
    evaluation = evaluate(ws, calibration_end, end)
    progress(0, None, "fitting and scoring CLV")
    fit = fit_clv(ws, end)
    scores = score_clv(fit)
    run_id = save_run(ws, fit, scores, {"cutoff": str(end)})
    charts = ws.path / "report"
    write_chart(tracking_chart(evaluation), charts / "clv_tracking.html")
    write_chart(calibration_chart(evaluation), charts / "clv_calibration.html")
    write_chart(clv_distribution_chart(scores), charts / "clv_distribution.html")
    result.steps["clv"] = {
        "run_id": run_id,
        "best_model": fit.best,
        "holdout": evaluation.totals,
        "customer_equity": float(scores["clv"].sum()),
        "customers": len(scores),
        "charts": str(charts),
    }


def _measure_past_campaign(
    ws: Workspace, files: dict[str, Path], result: DemoResult, progress: Progress
) -> None:
    """The simulator's past randomized campaign: import, measure against the truth, uplift."""
    from cvm.campaigns import fit_campaign_uplift, import_campaign, measure_campaign
    from cvm.report.charts import lift_chart, write_chart

    progress(0, None, "measuring the past campaign")
    import_campaign(ws, files["campaigns"], files["assignments"])
    campaign_id = str(ws.engine.scalar(sql_file(__package__, "first_campaign.sql")))
    measured = measure_campaign(ws, campaign_id)
    uplift = fit_campaign_uplift(ws, campaign_id, learner="t", threads=1)
    write_chart(lift_chart(measured), ws.path / "report" / "campaign_lift.html")
    conversion = measured.lift("conversion")
    truth = result.truth.get("campaign", {})
    result.steps["campaign"] = {
        "campaign_id": campaign_id,
        "lift": float(conversion["lift"]),
        "lower": float(conversion["lower"]),
        "upper": float(conversion["upper"]),
        "true_lift": truth.get("sate_conversion"),
        "qini": float(uplift.qini),
        "warnings": measured.warnings,
    }


def _segment_customers(ws: Workspace, result: DemoResult, progress: Progress) -> None:
    """Churn model (validated against P(alive)), then RFM, tiers, lifecycle and churn risk."""
    from cvm.segments.churn import save_churn, train_churn
    from cvm.segments.runs import segment, segment_summary

    progress(0, None, "training the churn model")
    churn = train_churn(ws)
    save_churn(ws, churn)
    progress(0, None, "segmenting customers")
    run = segment(ws)
    result.steps["segments"] = {
        "run_id": run.run_id,
        "customers": run.customers,
        "summary": segment_summary(ws, run.run_id),
        "churn_auc": churn.metrics.get("roc_auc"),
        "baseline_auc": churn.baseline.get("roc_auc"),
    }


def _plan_next_actions(ws: Workspace, result: DemoResult, progress: Progress) -> None:
    """The next best action for every customer under the demo budget, stored and explained."""
    from cvm.decide import make_plan, save_plan

    progress(0, None, "planning next best actions")
    plan = make_plan(ws)
    run_id = save_plan(ws, plan)
    result.steps["plan"] = {
        "run_id": run_id,
        "budget": plan.budget,
        "chosen": len(plan.chosen),
        "expected_value": plan.expected_value,
        "gap": plan.solution.gap,
        "by_offer": plan.chosen["offer_id"].value_counts().to_dict() if len(plan.chosen) else {},
    }


def _write_report(ws: Workspace, result: DemoResult, progress: Progress) -> None:
    """The one-file HTML report of everything above."""
    from cvm.report import write_report

    progress(0, None, "writing the report")
    result.steps["report"] = write_report(ws, ws.path / "report" / "report.html")


def example_workspace(path: str | Path | None = None) -> Workspace:
    """A small workspace for examples: customers ``007`` (Ann@Example.com) and ``008``, and
    purchases ``t1``-``t4`` of 007, 008, 007 and 009 in January and February 2024.

    ``path`` defaults to a new temporary folder. The caller closes it.

    >>> ws = example_workspace()
    >>> ws.table_counts()["transactions"]
    4
    >>> ws.close()
    """
    import tempfile

    root = Path(path) if path is not None else Path(tempfile.mkdtemp()) / "example"
    ws = Workspace.create(root)
    ws.engine.run(sql_file(__package__, "example_rows.sql"))
    return ws
