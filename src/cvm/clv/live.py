"""The newest CLV run as a scorer: its stored parameters applied to new histories.

The service re-scores a customer the moment a purchase is committed. It does not refit: it
takes the transaction and spend models of the newest ``clv`` run back from their stored
parameters (:func:`cvm.models.stored.from_params`) and scores with the batch job's own
function, :func:`cvm.clv.scoring.score_clv`, with the run's horizon, discount rate and margin.
So a customer's live scores equal what ``cvm score`` stored for the same history and cutoff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._exceptions import ConfigError
from cvm.clv.fitting import ClvFit, observed_summary
from cvm.clv.registry import TRANSACTION_MODELS, model_class
from cvm.clv.scoring import score_clv
from cvm.engines import sql_file
from cvm.models import GammaGammaModel
from cvm.models.stored import from_params

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["LiveFit", "latest_fit", "score_histories"]

SCORE_OPTIONS = ("horizon_years", "discount_rate", "margin")
"""The run's scoring settings (``cvm score`` stores them; a ``cvm fit`` run takes the defaults)."""


@dataclass(frozen=True)
class LiveFit:
    """The models of one stored ``clv`` run, ready to score (``fit.summary`` is empty)."""

    run_id: str
    cutoff: date | None
    fit: ClvFit
    options: dict[str, Any]  # score_clv's horizon_years, discount_rate, margin

    @property
    def model(self) -> str:
        return self.fit.best

    @property
    def unit(self) -> str:
        return self.fit.unit


def latest_fit(ws: Workspace) -> LiveFit | None:
    """The newest ``clv`` run's models and settings; None when nothing was fitted yet.

    A run whose parameters cannot be read back (a model cvm no longer knows) is an error that
    names the run, not a silent None.
    """
    row = ws.engine.one(sql_file(__package__, "live_latest_run.sql"))
    if row is None:
        return None
    run_id, best, text, cutoff = row
    params: dict[str, Any] = json.loads(text)
    try:
        models = {
            name: from_params(model_class(name), values)
            for name, values in params["models"].items()
            if name in TRANSACTION_MODELS
        }
        spend = params.get("spend")
        spend_model = from_params(GammaGammaModel, spend) if spend else None
    except ConfigError as exc:
        raise ConfigError(f"clv run {run_id}: its stored parameters do not load ({exc})") from None
    if best not in models:
        raise ConfigError(f"clv run {run_id}: model {best!r} has no stored parameters")
    fit = ClvFit(
        cutoff=cutoff,
        unit=str(params.get("unit") or "D"),
        summary=pd.DataFrame(),
        models=models,
        spend=spend_model,
        comparison=pd.DataFrame(),
        best=str(best),
    )
    given = [k for k in SCORE_OPTIONS if params.get(k) is not None]
    options: dict[str, Any] = {k: float(params[k]) for k in given}
    return LiveFit(str(run_id), cutoff, fit, options)


def score_histories(live: LiveFit, summary: pd.DataFrame) -> pd.DataFrame:
    """Score ``summary`` (as :func:`cvm.features.rfm_summary` gives it, in the run's unit)
    exactly as ``cvm score`` does: T floored at an instant, then :func:`score_clv` without
    intervals. One row per customer, indexed by ``customer_id``."""
    if summary.empty:
        return summary.assign(
            expected_purchases=[], p_alive=[], expected_spend=[], clv=[], spend_imputed=[]
        )
    fit = ClvFit(
        cutoff=live.fit.cutoff,
        unit=live.fit.unit,
        summary=observed_summary(summary),
        models=live.fit.models,
        spend=live.fit.spend,
        comparison=live.fit.comparison,
        best=live.fit.best,
    )
    return score_clv(fit, intervals=False, **live.options)
