"""Contract retention on a workspace: the sBG model by plan or start cohort, and its run.

Each subscription is a sequence of renewal periods (a month by default): one that ended in its
k-th period was lost in period k; one still running after k whole periods survived k. The
shifted-beta-geometric model (Fader and Hardie 2007) fitted on those histories gives each
group's retention and survival curve, which widen into the future as the likely leavers go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm._dates import parse_day
from cvm._exceptions import ConfigError, ConvergenceError, DataError
from cvm.engines import sql_file
from cvm.models import ShiftedBetaGeometricModel

if TYPE_CHECKING:
    from cvm.workspace import Workspace

GROUPINGS = ("plan", "cohort")
PERIOD_DAYS = {"M": 365.25 / 12, "W": 7.0, "Q": 365.25 / 4, "Y": 365.25}
HORIZON_PERIODS = 12


@dataclass
class ContractFit:
    """sBG fits per group: ``table`` one row per group (contracts, ended, alpha, beta, the
    retention of the next period and survival at the horizon), ``survival`` the share of a
    group's new contracts still running after each period 0..horizon."""

    cutoff: date
    by: str
    period: str
    models: dict[str, ShiftedBetaGeometricModel]
    table: pd.DataFrame
    survival: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def contract_histories(ws: Workspace, cutoff: date, by: str, period: str) -> pd.DataFrame:
    """(customer_id, grp, periods, churned) of every contract with a renewal decision seen."""
    frame = ws.engine.frame(
        sql_file(__package__, "contract_periods.sql"), {"cutoff": cutoff, "by": by}
    )
    length = PERIOD_DAYS[period]
    days = frame["days"].to_numpy(dtype=float)
    churned = frame["churned"].to_numpy(dtype=bool)
    # lost in the period it ended in (at least the first); a running one survived whole periods
    periods = np.where(churned, np.maximum(1, np.ceil(days / length)), np.floor(days / length))
    frame = frame.assign(periods=periods)
    return frame[frame["periods"] >= 1].reset_index(drop=True)


def fit_contracts(
    ws: Workspace,
    cutoff: date | str | None = None,
    *,
    by: str = "plan",
    period: str = "M",
    horizon: int = HORIZON_PERIODS,
    penalizer: float = 0.0,
) -> ContractFit:
    """Fit the sBG model on the subscriptions of each plan (or start-month cohort).

    ``cutoff`` defaults to the newest start or end date. A group whose contracts cannot
    identify the model (none ended, too few) is left out with a note; none fitting is an error.
    """
    if by not in GROUPINGS:
        raise ConfigError(f"--by must be one of {', '.join(GROUPINGS)}, got {by!r}")
    if period not in PERIOD_DAYS:
        raise ConfigError(f"period must be one of {', '.join(PERIOD_DAYS)}, got {period!r}")
    day = parse_day(cutoff, "cutoff") if cutoff is not None else last_contract_day(ws)
    histories = contract_histories(ws, day, by, period)
    if histories.empty:
        raise DataError(
            f"no subscription observed for a whole period by {day}: load contracts with"
            " `cvm ingest subscriptions FILE`"
        )
    models: dict[str, ShiftedBetaGeometricModel] = {}
    rows, curves, notes = [], {}, []
    steps = np.arange(0, horizon + 1)
    for group, part in histories.groupby("grp", sort=True):
        name = str(group)
        counts = part.groupby(["periods", "churned"]).size().reset_index(name="n")
        try:
            model = ShiftedBetaGeometricModel(penalizer=penalizer).fit(
                counts["periods"], counts["churned"], weights=counts["n"]
            )
        except (DataError, ConvergenceError) as exc:
            notes.append(f"{by} {name!r} ({len(part)} contracts) not fitted: {exc}")
            continue
        models[name] = model
        curves[name] = model.survival(steps)
        rows.append(
            {
                by: name,
                "contracts": len(part),
                "ended": int(part["churned"].sum()),
                "alpha": model.params_["alpha"],
                "beta": model.params_["beta"],
                "retention_first": float(model.retention_rate(1)[0]),
                f"survival_{horizon}": float(curves[name][-1]),
            }
        )
    if not models:
        raise DataError(f"the sBG model could not be fitted for any {by}: " + "; ".join(notes))
    table = pd.DataFrame(rows).set_index(by)
    survival = pd.DataFrame(curves, index=pd.Index(steps, name="period"))
    return ContractFit(day, by, period, models, table, survival, notes)


def last_contract_day(ws: Workspace) -> date:
    """The newest contract start or end (an end date still ahead does not count)."""
    day = ws.engine.scalar(sql_file(__package__, "last_contract_day.sql"))
    if day is None:
        raise DataError(
            "the workspace has no subscriptions: load them with `cvm ingest subscriptions`"
        )
    return pd.Timestamp(day).date()


def save_contract_run(ws: Workspace, fit: ContractFit) -> str:
    """Record the fit in ``model_runs`` (kind ``'sbg'``): parameters per group, the table and
    survival curves in the metrics."""
    params: dict[str, Any] = {
        "by": fit.by,
        "period": fit.period,
        "groups": {g: m.params_.to_dict() for g, m in fit.models.items()},
    }
    metrics: dict[str, Any] = {
        "table": fit.table.reset_index().to_dict(orient="records"),
        "survival": {g: fit.survival[g].round(6).tolist() for g in fit.survival.columns},
        "notes": fit.notes,
    }
    cutoff = pd.Timestamp(fit.cutoff).to_pydatetime()
    with ws.engine.transaction():
        return ws.record_run("sbg", model="sbg", params=params, metrics=metrics, cutoff=cutoff)
