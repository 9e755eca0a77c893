"""`cvm campaign ...`: design, build, export, measure and learn from randomized campaigns."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvm.cli._common import (
    WorkspaceOption,
    console,
    open_workspace,
    output_format,
    print_frame,
    set_json_document,
    tabular,
)

if TYPE_CHECKING:
    from cvm.campaigns.outcomes import OutcomeMeasurement
    from cvm.campaigns.uplift import ArmEvaluation

app = typer.Typer(
    name="campaign",
    help="Campaigns with randomized control groups: create, build, export, measure, learn.",
    no_args_is_help=True,
)

CampaignId = Annotated[str, typer.Argument(help="Campaign id.")]


def _parse_arms(arms: list[str] | None) -> dict[str, float]:
    from cvm._exceptions import ConfigError

    if not arms:
        return {"treatment": 1.0}
    out: dict[str, float] = {}
    for item in arms:
        name, _, weight = item.partition("=")
        try:
            out[name.strip()] = float(weight) if weight else 1.0
        except ValueError as exc:
            raise ConfigError(f"--arm {item!r}: expected name or name=weight") from exc
    return out


def _read_ids(path: Path) -> list[str]:
    """Customer ids from a file: a ``customer_id`` column, or the first column."""
    import pandas as pd

    from cvm._exceptions import DataError

    if not path.exists():
        raise DataError(f"{path}: no such file")
    frame = pd.read_csv(path, dtype=str)
    column = "customer_id" if "customer_id" in frame.columns else frame.columns[0]
    return frame[column].dropna().str.strip().tolist()


@app.command()
def create(
    campaign_id: CampaignId,
    starts: Annotated[str, typer.Option(help="First day of the campaign (YYYY-MM-DD).")],
    ends: Annotated[str, typer.Option(help="Last day of the campaign (YYYY-MM-DD).")],
    channel: Annotated[str, typer.Option(help="email, sms, push or mail.")] = "email",
    offer: Annotated[str | None, typer.Option(help="Offer id.")] = None,
    name: Annotated[str | None, typer.Option(help="A readable name.")] = None,
    control: Annotated[float, typer.Option(help="Control fraction, within (0, 1).")] = 0.1,
    control_size: Annotated[int | None, typer.Option(help="Fixed control size.")] = None,
    response_days: Annotated[int, typer.Option(help="Days of the response window.")] = 30,
    audience: Annotated[
        Path | None, typer.Option(help="CSV of customer ids (column customer_id).")
    ] = None,
    rule: Annotated[str | None, typer.Option(help="SQL predicate over the profile.")] = None,
    segment: Annotated[str | None, typer.Option(help="A segment name.")] = None,
    arm: Annotated[
        list[str] | None, typer.Option(help="Treatment arm name=weight (repeat for several).")
    ] = None,
    stratify_by: Annotated[
        str | None, typer.Option(help="value_tier, acquisition_channel or country.")
    ] = None,
    overlap: Annotated[
        str, typer.Option(help="Customers in another running campaign: exclude, error or allow.")
    ] = "exclude",
    cost_per_contact: Annotated[float, typer.Option(help="Cost of each contact.")] = 0.0,
    fixed_cost: Annotated[float, typer.Option(help="Fixed cost of the campaign.")] = 0.0,
    margin_rate: Annotated[float | None, typer.Option(help="Margin share of revenue.")] = None,
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Define a campaign: audience, offer, channel, dates, control group and policy."""
    from cvm._exceptions import DataError
    from cvm.campaigns import Campaign, create_campaign
    from cvm.campaigns.design import as_timestamp

    if sum(x is not None for x in (audience, rule, segment)) > 1:
        raise DataError("give one audience: --audience, --rule or --segment")
    kind: dict[str, object] = {"kind": "all"}
    if rule:
        kind = {"kind": "rule", "rule": rule}
    elif segment:
        kind = {"kind": "segment", "segment": segment}
    design = Campaign(
        campaign_id=campaign_id,
        channel=channel,
        starts=as_timestamp(starts, "--starts"),
        ends=as_timestamp(ends, "--ends"),
        response_days=response_days,
        control_fraction=control,
        control_size=control_size,
        offer_id=offer,
        name=name,
        arms=_parse_arms(arm),
        audience=kind,
        stratify_by=stratify_by,
        overlap=overlap,
        cost_per_contact=cost_per_contact,
        fixed_cost=fixed_cost,
        margin_rate=margin_rate,
    )
    with open_workspace(workspace) as ws:
        ids = _read_ids(audience) if audience else None
        made = create_campaign(ws, design, customers=ids)
    console.print(f"campaign [bold]{made.campaign_id}[/] created (draft); audience {made.audience}")


@app.command()
def build(campaign_id: CampaignId, workspace: WorkspaceOption = Path(".")) -> None:
    """Apply the contact policy and assign the eligible audience to arms (reproducibly)."""
    from cvm.campaigns import build_campaign

    with open_workspace(workspace) as ws:
        result = build_campaign(ws, campaign_id)
    console.print(f"{campaign_id}: audience {result.audience:,}, eligible {result.eligible:,}")
    for arm, n in result.arms.items():
        console.print(f"  arm {arm}: {n:,}")
    for reason, n in result.excluded.items():
        console.print(f"  excluded ({reason}): {n:,}")


@app.command()
def export(
    campaign_id: CampaignId,
    out: Annotated[Path | None, typer.Option(help="File to write.")] = None,
    contacted_at: Annotated[str | None, typer.Option(help="Send date (default: start).")] = None,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="mailchimp (default for e-mail/SMS), klaviyo, marketo, pardot, csv (default"
            " for push/mail) or parquet.",
        ),
    ] = None,
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Write the treated target list for the channel and record the contacts."""
    import pandas as pd

    from cvm.campaigns import export_campaign

    when = pd.Timestamp(contacted_at).to_pydatetime() if contacted_at else None
    with open_workspace(workspace) as ws:
        result = export_campaign(ws, campaign_id, out, contacted_at=when, format=format_)
    console.print(
        f"{result.rows:,} rows written to {result.path} ({result.format}); manifest"
        f" {result.manifest}; {result.contacts_recorded:,} contacts recorded"
    )
    for reason, n in result.excluded.items():
        console.print(f"  not exported ({reason}): {n:,}")


@app.command()
@tabular
def measure(
    campaign_id: CampaignId,
    outcome: Annotated[
        str | None,
        typer.Option(
            help="Outcome: an imported column, or converted, revenue, visits, orders (default:"
            " the full conversion/revenue/ROI report, or the first imported outcome)."
        ),
    ] = None,
    alpha: Annotated[float, typer.Option(help="Family-wise error rate.")] = 0.05,
    n_boot: Annotated[int, typer.Option(help="Bootstrap resamples for revenue.")] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    charts: Annotated[Path | None, typer.Option(help="Folder for the lift chart.")] = None,
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Attribute outcomes to each arm; report lift with intervals, p-values and ROI.

    With ``--format json`` (or ``--outcome``) the answer is one object per treatment arm.
    """
    from cvm.campaigns import get_campaign, measure_campaign
    from cvm.campaigns.outcomes import measure_outcome

    format_ = output_format()
    with open_workspace(workspace) as ws:
        imported = bool(get_campaign(ws, campaign_id).outcomes)
        if imported or outcome is not None or format_ == "json":
            if not imported:
                measure_campaign(ws, campaign_id, alpha=alpha, n_boot=n_boot, seed=seed)
            result = measure_outcome(ws, campaign_id, outcome, alpha=alpha)
            _print_outcome(result, format_)
            return
        m = measure_campaign(ws, campaign_id, alpha=alpha, n_boot=n_boot, seed=seed)
        folder = charts or ws.path / "report"
    print_frame(m.arms, f"{campaign_id}: arms")
    shown = m.effects[
        [
            "arm",
            "metric",
            "control",
            "treatment",
            "lift",
            "lower",
            "upper",
            "relative",
            "p_value",
            "p_adjusted",
        ]
    ]
    print_frame(shown, f"lift ({m.effects['level'].iloc[0]:.1%} intervals)", index=False)
    print_frame(
        m.money.set_index("arm").drop(columns=["roi_note"]),
        "incremental effect and ROI",
        missing={"roi": "n/a (no cost)"},
    )
    if not m.segments.empty:
        print_frame(m.segments.set_index("segment"), "by segment")
    for note in m.warnings:
        console.print(f"[yellow]warning:[/] {note}")
    from cvm.report.charts import lift_chart, write_chart

    path = write_chart(lift_chart(m), folder / f"{campaign_id}_lift.html")
    console.print(f"run {m.run_id}; chart: {path}")


def _print_outcome(result: OutcomeMeasurement, format_: str) -> None:
    if format_ == "json":
        set_json_document(result.records())
        return
    level = result.arms["level"].iloc[0]
    keep = ["arm", "n", "mean", "control_mean", "lift", "ci_low", "ci_high", "p_adjusted"]
    shown = result.arms[keep + [c for c in ("roi",) if c in result.arms.columns]]
    print_frame(
        shown,
        f"{result.campaign_id}: {result.outcome} per arm against {result.control_arm!r}"
        f" ({result.arms['method'].iloc[0]}; {level:.2%} intervals, Holm-adjusted p)",
        index=False,
    )
    for arm, n in result.missing.items():
        console.print(f"  left out (no {result.outcome} value), arm {arm}: {n:,}")


@app.command(name="list")
@tabular
def list_(workspace: WorkspaceOption = Path(".")) -> None:
    """Every campaign with its status and arm sizes."""
    from cvm.campaigns import list_campaigns

    with open_workspace(workspace, read_only=True) as ws:
        frame = list_campaigns(ws)
    if frame.empty:
        console.print("no campaigns yet: `cvm campaign create` or `cvm campaign import`")
        return
    shown = frame[["campaign_id", "status", "channel", "treated", "control", "contacts"]].assign(
        dates=frame["starts"].dt.strftime("%Y-%m-%d") + " – " + frame["ends"].dt.strftime("%d %b")
    )
    print_frame(shown, "campaigns", index=False)


@app.command()
def plan(
    lift: Annotated[float, typer.Option(help="Absolute conversion lift to detect (0.01 = 1pt).")],
    baseline: Annotated[
        float | None, typer.Option(help="Control conversion (default: from the workspace).")
    ] = None,
    control: Annotated[float, typer.Option(help="Control fraction.")] = 0.1,
    power: Annotated[float, typer.Option(help="Power.")] = 0.8,
    alpha: Annotated[float, typer.Option(help="Significance level.")] = 0.05,
    arms: Annotated[int, typer.Option(help="Treatment arms.")] = 1,
    revenue_lift: Annotated[float | None, typer.Option(help="Revenue lift per customer.")] = None,
    revenue_sd: Annotated[float | None, typer.Option(help="SD of revenue per customer.")] = None,
    response_days: Annotated[int, typer.Option(help="Window for the baseline.")] = 30,
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Sample size: controls and treated needed to detect a lift with the given power."""
    from cvm.campaigns import baseline_from_history, plan_test

    if baseline is None or (revenue_lift is not None and revenue_sd is None):
        with open_workspace(workspace, read_only=True) as ws:
            conv, _mean, sd = baseline_from_history(ws, response_days)
        baseline = conv if baseline is None else baseline
        revenue_sd = sd if revenue_sd is None else revenue_sd
    result = plan_test(
        baseline,
        lift,
        control_fraction=control,
        alpha=alpha,
        power=power,
        revenue_sd=revenue_sd,
        revenue_lift=revenue_lift,
        arms=arms,
    )
    console.print(
        f"conversion {baseline:.2%} → {baseline + lift:.2%}: {result.conversion_control:,} controls"
        f" and {result.conversion_treatment:,} treated per arm ({power:.0%} power, alpha {alpha})"
    )
    if result.revenue_control is not None:
        console.print(
            f"revenue +{revenue_lift:g} per customer (sd {revenue_sd:.4g}):"
            f" {result.revenue_control:,} controls and {result.revenue_treatment:,} treated"
        )
    console.print(f"audience needed: {result.total:,} eligible customers per treatment arm set")


@app.command(name="import")
def import_(
    campaigns_file: Annotated[Path, typer.Argument(help="campaigns.csv")],
    assignments_file: Annotated[Path, typer.Argument(help="assignments.csv")],
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Load past campaigns and their arms (unknown customers are rejected with the reason)."""
    from cvm.campaigns import import_campaign

    with open_workspace(workspace) as ws:
        result = import_campaign(ws, campaigns_file, assignments_file)
    console.print(f"imported {', '.join(result.campaigns)}: {result.assignments:,} assignments")
    for reason, n in result.rejected.items():
        console.print(f"  rejected ({reason}): {n:,}")


@app.command(name="import-results")
def import_results(
    campaign_id: CampaignId,
    file: Annotated[Path, typer.Argument(help="Results: one row per customer (CSV/Parquet).")],
    arm_column: Annotated[str, typer.Option(help="Column naming each row's arm.")],
    control_arm: Annotated[str, typer.Option(help="The control arm's value in that column.")],
    outcome: Annotated[
        list[str] | None,
        typer.Option(help="Outcome column: 0/1, yes/no or a number (repeat for several)."),
    ] = None,
    customer_column: Annotated[
        str, typer.Option(help="Customer id column (absent: the row number).")
    ] = "customer_id",
    cost_per_contact: Annotated[float, typer.Option(help="Cost of each treated contact.")] = 0.0,
    value_per_conversion: Annotated[
        float | None, typer.Option(help="Value of one incremental conversion.")
    ] = None,
    starts: Annotated[
        str | None, typer.Option(help="First day of the test (default today).")
    ] = None,
    ends: Annotated[str | None, typer.Option(help="Last day of the test.")] = None,
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Load a test that ran elsewhere: arms, outcomes and covariates from one file."""
    from cvm.campaigns.results import import_results as load

    with open_workspace(workspace) as ws:
        r = load(
            ws,
            campaign_id,
            file,
            arm_column=arm_column,
            control_arm=control_arm,
            outcomes=list(outcome or []),
            customer_column=customer_column,
            cost_per_contact=cost_per_contact,
            value_per_conversion=value_per_conversion,
            starts=starts,
            ends=ends,
        )
    arms = ", ".join(f"{a} {n:,}" for a, n in r.arms.items())
    console.print(
        f"campaign [bold]{r.campaign_id}[/]: {r.rows:,} customers ({arms}; control"
        f" {r.control_arm!r}); outcomes {', '.join(r.outcomes)}; covariates"
        f" {', '.join(r.covariates) or 'none'}; {r.new_customers:,} new customers"
    )
    for reason, n in r.rejected.items():
        console.print(f"  rejected ({reason}): {n:,} (see rejected_rows, load {r.load_id})")


@app.command()
@tabular
def uplift(
    campaign_id: CampaignId,
    outcome: Annotated[
        str | None, typer.Option(help="Outcome to model (default: conversion / first imported).")
    ] = None,
    arm: Annotated[str | None, typer.Option(help="One treatment arm (default: every arm).")] = None,
    test: Annotated[
        Path | None,
        typer.Option(help="A file of customers to score (and evaluate if it has arms)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="CSV for the scores of --test (default: beside it).")
    ] = None,
    learner: Annotated[str, typer.Option(help="t (two models), x (X-learner), class.")] = "t",
    seed: Annotated[int, typer.Option(help="Seed of the split and the models.")] = 0,
    charts: Annotated[Path | None, typer.Option(help="Folder for the Qini chart.")] = None,
    threads: Annotated[int | None, typer.Option(help="Model threads (default: all).")] = None,
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Fit an uplift model on a campaign; evaluate each arm against control; score customers."""
    from cvm.campaigns import fit_campaign_uplift
    from cvm.campaigns.uplift import SCALE
    from cvm.report.charts import qini_chart, uplift_decile_chart, write_chart

    with open_workspace(workspace) as ws:
        result = fit_campaign_uplift(
            ws,
            campaign_id,
            learner=learner,
            seed=seed,
            threads=threads,
            outcome=outcome,
            arm=arm,
            test_file=test,
        )
        folder = charts or ws.path / "report"
    for note in result.notes:
        console.print(f"note: {note}")
    excluded = result.attributes[result.attributes["kind"] == "excluded"]
    for row in excluded.itertuples():
        console.print(f"attribute {row.attribute!r} not used: {row.note}")
    for name, evaluation in result.arms.items():
        print_frame(
            evaluation.deciles, f"{campaign_id}: {name} vs control, held-out uplift by decile"
        )
    counts = result.scores.groupby("category").size().rename("customers").to_frame()
    print_frame(counts, "customers by uplift category")
    qini = write_chart(qini_chart(result.qini_curve), folder / f"{campaign_id}_qini.html")
    write_chart(uplift_decile_chart(result.deciles), folder / f"{campaign_id}_deciles.html")
    console.print(f"Qini and AUUC on the scale of {SCALE}:")
    _print_arms(result.arms, result.outcome, "held out")
    if result.test_scores is not None and test is not None:
        target = out or test.with_name(f"{test.stem}_uplift.csv")
        result.test_scores.to_csv(target, index=False)
        console.print(f"{len(result.test_scores):,} scores of {test} written to {target}")
        if result.test_arms:
            _print_arms(result.test_arms, result.outcome, str(test))
    console.print(f"run {result.run_id}; chart: {qini}")


def _print_arms(arms: dict[str, ArmEvaluation], outcome: str, where: str) -> None:
    for name, e in arms.items():
        scaled = (
            f"Qini {e.qini:.4f}, AUUC {e.auuc:.4f}"
            if e.qini == e.qini
            else "Qini/AUUC normalised only for a 0/1 outcome"
        )
        console.print(
            f"  {name} vs control ({where}: {e.n_treatment:,} treated, {e.n_control:,} control;"
            f" {outcome}): {scaled}; area over random per customer: Qini {e.qini_area:.4g},"
            f" AUUC {e.auuc_area:.4g}"
        )


@app.command()
def suppress(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV of people to suppress: columns email, email_sha256 (SHA-256 of the"
            " trimmed lower-case address), phone, customer_id or a CRM/shop id (Record ID, Id,"
            " contact_id...); a one-column list is read value by value."
        ),
    ],
    channel: Annotated[str | None, typer.Option(help="Channel (default: all).")] = None,
    reason: Annotated[str, typer.Option(help="Why.")] = "suppressed",
    workspace: WorkspaceOption = Path("."),
) -> None:
    """Suppress people by e-mail, hashed e-mail, phone, customer id or any source id."""
    from cvm.campaigns import read_suppression_file, suppress_identifiers

    with open_workspace(workspace) as ws:
        result = suppress_identifiers(
            ws, read_suppression_file(file), channel=channel, reason=reason
        )
    kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(result.by_kind.items())) or "none new"
    console.print(
        f"{result.added:,} identifiers suppressed ({kinds}) on {channel or 'every channel'};"
        f" {result.customers_matched:,} known customers suppressed there"
    )
