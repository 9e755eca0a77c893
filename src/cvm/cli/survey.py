"""`cvm survey value-map | nps | csat`: the customer value map, NPS and CSAT from surveys."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvm.cli._common import (
    WorkspaceOption,
    console,
    open_workspace,
    print_charts,
    print_frame,
    print_warnings,
    tabular,
)

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    name="survey", help="Survey analyses: customer value map, NPS, CSAT.", no_args_is_help=True
)

ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Break down by segment, tier or a customers column (country...)."),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Folder to write the charts (HTML) into.")
]
SurveyOption = Annotated[str | None, typer.Option("--survey", help="Only this survey_id.")]


def _with_intervals(table: pd.DataFrame) -> pd.DataFrame:
    """One column per ratio, each cell 'estimate [lower, upper]'."""
    import pandas as pd

    out = pd.DataFrame({"versus": table.index})
    for m in ("quality", "price", "value"):
        est, lo, hi = (table[f"{m}_{k}"].to_numpy() for k in ("ratio", "lower", "upper"))
        out[f"{m} ratio"] = [
            f"{e:.3f} [{a:.3f}, {b:.3f}]" for e, a, b in zip(est, lo, hi, strict=True)
        ]
    return out


@app.command("value-map")
@tabular
def value_map(
    workspace: WorkspaceOption = Path("."),
    by: ByOption = None,
    own_brand: Annotated[str | None, typer.Option(help="Our brand in the survey.")] = None,
    price_scale: Annotated[
        str | None,
        typer.Option(help="satisfaction (higher = better value) or level (higher = dearer)."),
    ] = None,
    n_boot: Annotated[int | None, typer.Option(help="Bootstrap replicates.")] = None,
    survey: SurveyOption = None,
    out: OutOption = None,
) -> None:
    """Quality, price and value ratios against each competitor and the market (1 = parity)."""
    from cvm.survey import value_map as analyse

    with open_workspace(workspace, read_only=True) as ws:
        vm = analyse(
            ws, by=by, own_brand=own_brand, price_scale=price_scale, n_boot=n_boot,
            survey_id=survey,
        )  # fmt: skip
        folder = out
    conf = f"{100 * vm.settings.confidence:g}%"
    groups = list(dict.fromkeys(vm.ratios["group"]))
    for group in groups:
        n = int(vm.ratios.loc[vm.ratios["group"] == group, "respondents"].iloc[0])
        label = "all respondents" if group == "all" else f"{by} {group}"
        print_frame(
            _with_intervals(vm.table(group)),
            f"{vm.own_brand} against each competitor — {label} (n={n}, {conf} intervals)",
            digits=3,
            index=False,
        )
    print_frame(
        vm.attribute_table().reset_index(),
        "quality ratio per attribute (all respondents)",
        digits=3,
        index=False,
    )
    weights = vm.weights.map(lambda w: f"{100 * w:.0f}%").to_dict()
    console.print("importance weights: " + ", ".join(f"{k} {v}" for k, v in weights.items()))
    print_warnings(vm.warnings)
    if folder is not None:
        from cvm.report.charts import quality_profile_chart, value_map_chart, write_chart

        paths = [
            write_chart(value_map_chart(vm, g), folder / f"value_map_{g}.html") for g in groups
        ]
        paths.append(write_chart(quality_profile_chart(vm), folder / "quality_profile.html"))
        print_charts(paths)


@app.command()
@tabular
def nps(
    workspace: WorkspaceOption = Path("."),
    by: ByOption = None,
    value: Annotated[
        bool, typer.Option("--value", help="Also CLV and churn risk by NPS class.")
    ] = False,
    survey: SurveyOption = None,
    out: OutOption = None,
) -> None:
    """Net Promoter Score per brand: promoters, passives, detractors, with intervals."""
    from cvm.survey import nps as analyse
    from cvm.survey import nps_value, referrals

    with open_workspace(workspace, read_only=True) as ws:
        table = analyse(ws, by=by, survey_id=survey)
        by_value = nps_value(ws, survey_id=survey) if value else None
        refs = referrals(ws, survey_id=survey)
    shown = table.copy()
    for col in ("promoters", "passives", "detractors"):
        shown[col] = 100 * shown[col]
    print_frame(shown, "NPS (shares in %; NPS in points with its interval)", digits=1, index=False)
    if by_value is not None:
        print_frame(
            by_value.reset_index(),
            "CLV and churn risk by NPS class (linked respondents)",
            digits=3,
            index=False,
        )
    if not refs.empty:
        print_frame(refs.reset_index(), "referrals by NPS class", digits=2, index=False)
    if out is not None:
        from cvm.report.charts import nps_chart, nps_value_chart, write_chart

        console.print(f"chart: {write_chart(nps_chart(table), out / 'nps.html')}")
        if by_value is not None:
            path = write_chart(nps_value_chart(by_value), out / "nps_value.html")
            console.print(f"chart: {path}")


@app.command()
@tabular
def csat(
    workspace: WorkspaceOption = Path("."),
    by: ByOption = None,
    satisfied_min: Annotated[
        float | None, typer.Option(help="Lowest satisfied score (default 4 of 5 or 8 of 10).")
    ] = None,
    survey: SurveyOption = None,
) -> None:
    """Customer satisfaction per brand: share satisfied (Wilson interval) and mean score."""
    from cvm.survey import csat as analyse

    with open_workspace(workspace, read_only=True) as ws:
        table = analyse(ws, by=by, csat_satisfied_min=satisfied_min, survey_id=survey)
    print_frame(table, "CSAT (% satisfied with its interval; mean score)", digits=2, index=False)
