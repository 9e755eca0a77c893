"""The README's Python tour on a (small) demo workspace: short reprs of a plan and an
explanation, an evaluation, and the report of an earlier day filtered by a segment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cvm._exceptions import DataError
from cvm.clv import evaluate
from cvm.decide import make_plan
from cvm.decide.explain import explain
from cvm.report import build_report
from cvm.segments.runs import segment
from cvm.workspace import Workspace
from demo_workspace import open_demo


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    yield from open_demo(tmp_path_factory.mktemp("api_demo"), n_customers=600, seed=3)


def test_plan_repr_is_a_summary(ws: Workspace) -> None:
    plan = make_plan(ws)
    text = repr(plan)
    lines = text.splitlines()
    chosen = plan.chosen
    assert lines[0].startswith(f"<PlanResult as of {plan.as_of}: {len(chosen):,} of")
    assert f"expected value {plan.expected_value:,.2f}" in lines[0]
    # one line per offer given, with its count from the chosen frame
    counts = chosen["offer_id"].value_counts()
    assert sorted(lines[1:]) == sorted(f"  {o}: {n:,}" for o, n in counts.items())
    assert "customer_id" not in text and len(lines) <= 1 + len(plan.offers)


def test_explanation_repr_is_its_sentences(ws: Workspace) -> None:
    from cvm.decide import save_plan

    plan = make_plan(ws)
    run_id = save_plan(ws, plan)
    customer = str(plan.chosen["customer_id"].iloc[0])
    why = explain(ws, customer, run_id=run_id)
    lines = repr(why).splitlines()
    assert lines[0] == (f"<Explanation: customer {customer} gets {why.chosen} (plan {run_id})>")
    assert lines[1:] == [f"  {line}" for line in why.lines]
    assert len(lines) == 1 + len(why.offers)


def test_evaluation_repr(ws: Workspace) -> None:
    result = evaluate(ws, "2025-06-30", "2025-12-31", models="bgnbd")
    lines = repr(result).splitlines()
    assert lines[0].startswith("<Evaluation: fitted to 2025-06-30, holdout to 2025-12-31")
    assert len(lines) == 2 and lines[1].startswith("  bgnbd: predicted ")


def test_report_of_an_earlier_day_by_segment(ws: Workspace, tmp_path: Path) -> None:
    """The README snippet: the demo segments its last day only; segmenting the earlier day
    first makes the filter work (and without it the error says which day is missing)."""
    with pytest.raises(DataError, match="no segments run on or before 2025-03-31"):
        build_report(ws, as_of="2025-03-31", segment="tier:gold", evaluate=False)
    run = segment(ws, as_of="2025-06-30")
    report = build_report(ws, as_of="2025-06-30", segment="tier:gold", evaluate=False)
    assert report.segment == "tier:Gold"
    assert report.runs["segments"] == run.run_id
