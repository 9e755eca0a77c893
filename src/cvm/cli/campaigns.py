"""`cvm campaign ...`: design, build, export, measure and learn from randomized campaigns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cvm.cli import campaign_results
from cvm.cli._common import (
    CampaignId,
    WorkspaceOption,
    console,
    open_workspace,
    print_frame,
    tabular,
)

app = typer.Typer(
    name="campaign",
    help="Campaigns with randomized control groups: create, build, export, measure, learn.",
    no_args_is_help=True,
)
app.add_typer(campaign_results.app)  # measure, import-results, uplift


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
        console.print(f"  excluded ({escape(reason)}): {n:,}")


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
        console.print(f"  not exported ({escape(reason)}): {n:,}")


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
        console.print(f"  rejected ({escape(reason)}): {n:,}")


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
