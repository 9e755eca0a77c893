"""How well each model predicted a holdout period it did not see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError
from cvm._progress import Progress, no_progress
from cvm.clv.fitting import fit_transaction_models, observed_summary
from cvm.clv.registry import DEFAULT_MODELS, pick_by_bic, pick_by_holdout
from cvm.features import holdout_tracking, rfm_summary
from cvm.features.summary import UNIT_DAYS
from cvm.models import TransactionModel

FREQUENCY_BINS = 7  # calibration table rows 0..6 and "7+"


@dataclass(repr=False)
class Evaluation:
    """Holdout evaluation of the transaction models fitted on the calibration period.

    ``totals`` has one row per model (predicted and actual holdout purchases, per-customer MAE
    and RMSE, BIC); ``calibration_table`` the mean holdout purchases by calibration frequency;
    ``tracking`` cumulative repeat purchases per week of the holdout, actual and predicted.
    ``best`` is the model with the lowest holdout MAE per customer (a tie within 0.1% goes to
    the lower BIC): ``criterion`` says so, and ``best_by_bic`` what BIC alone would pick.
    """

    calibration_end: date
    holdout_end: date
    unit: str
    summary: pd.DataFrame
    models: dict[str, TransactionModel]
    predictions: pd.DataFrame
    totals: pd.DataFrame
    calibration_table: pd.DataFrame
    tracking: pd.DataFrame
    best: str
    notes: list[str] = field(default_factory=list)
    best_by_bic: str = ""
    criterion: str = "lowest holdout MAE per customer (a tie within 0.1% goes to the lower BIC)"

    def __repr__(self) -> str:
        head = (
            f"<Evaluation: fitted to {self.calibration_end}, holdout to {self.holdout_end}"
            f" ({len(self.summary):,} customers), best {self.best}"
            f" (BIC alone: {self.best_by_bic or self.best})>"
        )
        cols = [c for c in ("predicted", "actual", "MAE", "RMSE") if c in self.totals.columns]
        lines = [
            f"  {name}: " + ", ".join(f"{c} {row[c]:,.4g}" for c in cols)
            for name, row in self.totals.iterrows()
        ]
        return "\n".join([head, *lines])


def _predict(model: TransactionModel, summary: pd.DataFrame, t: float) -> np.ndarray:
    return np.asarray(
        model.conditional_expected_number_of_purchases_up_to_time(
            t, summary["frequency"], summary["recency"], summary["T"]
        )
    )


def _calibration_table(summary: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    bucket = summary["frequency"].clip(upper=FREQUENCY_BINS).astype(int)
    labels = bucket.map(lambda b: f"{b}+" if b == FREQUENCY_BINS else str(b))
    frame = predictions.assign(actual=summary["frequency_holdout"], frequency=labels)
    table = frame.groupby("frequency", sort=False).mean()
    table.insert(0, "customers", frame.groupby("frequency", sort=False).size())
    order = [str(b) for b in range(FREQUENCY_BINS)] + [f"{FREQUENCY_BINS}+"]
    return table.reindex([o for o in order if o in table.index])


def _tracking(
    source: Any,
    cutoff: date,
    stop: date,
    summary: pd.DataFrame,
    models: dict[str, TransactionModel],
    unit: str,
) -> pd.DataFrame:
    actual = holdout_tracking(source, cutoff, stop)
    days = np.arange(7, len(actual) + 1, 7)
    if days.size == 0 or days[-1] != len(actual):
        days = np.append(days, len(actual))
    frame = pd.DataFrame(
        {"day": days, "actual": actual["cumulative"].reindex(days).to_numpy()}
    ).set_index("day")
    for name, model in models.items():
        frame[name] = [_predict(model, summary, d / UNIT_DAYS[unit]).sum() for d in days]
    return frame


def evaluate(
    source: Any,
    calibration_end: Any,
    holdout_end: Any,
    *,
    models: Any = DEFAULT_MODELS,
    unit: str | None = None,
    penalizer: float = 0.0,
    progress: Progress = no_progress,
) -> Evaluation:
    """Fit on purchases up to ``calibration_end``, predict to ``holdout_end``, compare.

    The pick follows the holdout: the lowest mean absolute error per customer of the holdout
    purchases, a tie (within 0.1%) going to the lower BIC. A calibration or holdout end after
    the newest transaction is refused.
    """
    from cvm.clv.fitting import check_within_data

    unit = unit or str(getattr(getattr(source, "config", None), "time_unit", "D"))
    check_within_data(source, calibration_end, "calibration end")
    check_within_data(source, holdout_end, "holdout end")
    progress(0, None, "summarising")
    summary = observed_summary(
        rfm_summary(source, calibration_end, holdout_end=holdout_end, unit=unit)
    )
    if summary.empty:
        raise DataError(f"no purchases on or before {calibration_end}: nothing to evaluate")
    fitted, comparison, notes = fit_transaction_models(
        summary, models, penalizer=penalizer, progress=progress
    )
    horizon = float(summary["duration_holdout"].iloc[0])
    predictions = pd.DataFrame(
        {name: _predict(m, summary, horizon) for name, m in fitted.items()}, index=summary.index
    )
    actual = summary["frequency_holdout"]
    error = predictions.sub(actual, axis=0)
    totals = pd.DataFrame(
        {
            "predicted": predictions.sum(),
            "actual": float(actual.sum()),
            "MAE": error.abs().mean(),
            "RMSE": np.sqrt((error**2).mean()),
            "BIC": comparison["BIC"],
        }
    )
    totals.insert(2, "error_pct", 100 * (totals["predicted"] / totals["actual"] - 1))
    totals.index.name = "model"
    best = pick_by_holdout(totals["MAE"], totals["BIC"])
    by_bic = pick_by_bic(totals["BIC"])
    totals["chosen"] = totals.index == best
    cutoff, stop = pd.Timestamp(calibration_end).date(), pd.Timestamp(holdout_end).date()
    progress(0, None, "tracking")
    return Evaluation(
        calibration_end=cutoff,
        holdout_end=stop,
        unit=unit,
        summary=summary,
        models=fitted,
        predictions=predictions,
        totals=totals,
        calibration_table=_calibration_table(summary, predictions),
        tracking=_tracking(source, cutoff, stop, summary, fitted, unit),
        best=best,
        notes=notes,
        best_by_bic=by_bic,
    )
