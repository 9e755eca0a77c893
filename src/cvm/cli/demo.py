"""`cvm demo DIR`: simulate a business and run the whole loop on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cvm.cli._common import console, print_frame, progress_bar, tabular

app = typer.Typer()  # commands at the top level of `cvm`


@app.command()
@tabular
def demo(
    path: Annotated[Path, typer.Argument(help="Folder for the demo workspace.")] = Path(
        "demo-workspace"
    ),
    customers: Annotated[int, typer.Option(help="Customers to simulate.")] = 20000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same business).")] = 0,
) -> None:
    """Simulate a business, load it, run every step (CLV, segments, campaign, plan), report."""
    import pandas as pd

    from cvm.demo import run_demo

    with progress_bar("demo") as progress:
        result = run_demo(path, n_customers=customers, seed=seed, progress=progress)
    loads = pd.DataFrame(
        [(x.kind, Path(x.source).name, x.loaded, x.duplicates, x.rejected) for x in result.loads],
        columns=["kind", "file", "loaded", "duplicates", "rejected"],
    )
    print_frame(loads, f"loaded into {result.path}", index=False)
    clv = result.steps.get("clv")
    if clv:
        console.print(
            f"CLV: best model [bold]{clv['best_model']}[/], {clv['customers']:,} customers,"
            f" customer equity {clv['customer_equity']:,.0f} (run {clv['run_id']})"
        )
        holdout = clv["holdout"]
        for name, row in holdout.iterrows():
            console.print(
                f"  holdout {name}: predicted {row['predicted']:,.0f} vs actual"
                f" {row['actual']:,.0f} purchases ({row['error_pct']:+.1f}%)"
            )
        console.print(f"charts: {clv['charts']}")
    seg = result.steps.get("segments")
    if seg:
        console.print(
            f"segments: {seg['customers']:,} customers segmented (run {seg['run_id']});"
            f" churn model ROC-AUC {seg['churn_auc']:.3f} vs P(alive) {seg['baseline_auc']:.3f}"
        )
    campaign = result.steps.get("campaign")
    if campaign:
        true = campaign["true_lift"]
        console.print(
            f"campaign {campaign['campaign_id']}: conversion lift {campaign['lift']:+.3f}"
            f" (95% CI {campaign['lower']:+.3f} to {campaign['upper']:+.3f})"
            + (f", true lift {true:+.3f}" if true is not None else "")
            + f"; uplift model Qini {campaign['qini']:.3f}"
        )
        for warning in campaign["warnings"]:
            console.print(f"  [yellow]warning:[/] {escape(warning)}", highlight=False)
    plan = result.steps.get("plan")
    if plan:
        offers = ", ".join(f"{k} {v:,}" for k, v in plan["by_offer"].items())
        console.print(
            f"plan: {plan['chosen']:,} customers get an offer within a budget of"
            f" {plan['budget']:,.0f} ({offers}); expected incremental value"
            f" {plan['expected_value']:,.0f}, optimality gap {100 * plan['gap']:.2f}%"
            f" (run {plan['run_id']}; `cvm explain CUSTOMER` says why)"
        )
    if "report" in result.steps:
        console.print(f"report: [bold]{result.steps['report']}[/] (open it in a browser)")
    console.print(f"workspace: [bold]{result.path}[/]  (try `cvm info -w {result.path}`)")
