"""Persist a CLV run: its parameters and metrics in ``model_runs``, its scores in ``scores``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm.engines import fill, sql_file
from cvm.engines.sql import column_list

if TYPE_CHECKING:
    from cvm.clv.fitting import ClvFit
    from cvm.workspace import Workspace

SCORE_COLUMNS = [
    "frequency",
    "recency",
    "t",
    "monetary",
    "expected_purchases",
    "p_alive",
    "expected_spend",
    "clv",
    "clv_lower",
    "clv_upper",
    "spend_imputed",
]


def run_record(fit: ClvFit, settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(params, metrics) of a fit, as stored in ``model_runs``."""
    params: dict[str, Any] = {
        "unit": fit.unit,
        "models": {n: m.params_.to_dict() for n, m in fit.models.items()},
        "spend": fit.spend.params_.to_dict() if fit.spend is not None else None,
        **settings,
    }
    metrics = {
        "comparison": fit.comparison.reset_index().to_dict(orient="records"),
        "customers": len(fit.summary),
        "spend_imputed": len(fit.spend_missing),
        "warnings": fit.warnings,
    }
    return params, metrics


def save_run(
    ws: Workspace, fit: ClvFit, scores: pd.DataFrame | None, settings: dict[str, Any]
) -> str:
    """Record the run and, when given, its per-customer scores, in one transaction."""
    params, metrics = run_record(fit, settings)
    cutoff = pd.Timestamp(fit.cutoff).to_pydatetime()
    engine = ws.engine
    with engine.transaction():
        run_id = ws.record_run("clv", model=fit.best, params=params, metrics=metrics, cutoff=cutoff)
        if scores is not None:
            frame = scores.rename(columns={"T": "t", "monetary_value": "monetary"})
            frame = frame.reindex(columns=SCORE_COLUMNS).reset_index(names="customer_id")
            query = fill(
                sql_file(__package__, "store_scores.sql"), columns=column_list(SCORE_COLUMNS)
            )
            with engine.register("clv_scores_frame", frame):
                engine.run(query, {"run_id": run_id, "cutoff": cutoff})
    return run_id
