"""Fit the transaction and spend models on an as-of summary and pick the best by BIC.

(With a holdout, :mod:`cvm.clv.evaluation` picks by the holdout instead.)
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from cvm._exceptions import ConvergenceError, DataError
from cvm._progress import Progress, no_progress
from cvm.clv.registry import DEFAULT_MODELS, check_names, model_class, pick_by_bic
from cvm.engines import sql_file
from cvm.features import rfm_summary
from cvm.features.summary import summary_source
from cvm.models import GammaGammaModel, TransactionModel


@dataclass(repr=False)
class ClvFit:
    """Fitted models on one as-of summary; ``best`` is the transaction model picked by BIC
    (see :func:`cvm.clv.registry.pick_by_bic`). Its repr is a few lines: the cutoff, the
    customers, each model's parameters and BIC, the pick and the number of warnings."""

    cutoff: date
    unit: str
    summary: pd.DataFrame
    models: dict[str, TransactionModel]
    spend: GammaGammaModel | None
    comparison: pd.DataFrame
    best: str
    warnings: list[str] = field(default_factory=list)
    # repeat buyers whose repeat orders net to <= 0: their spend is the population mean
    spend_missing: list[str] = field(default_factory=list)

    @property
    def model(self) -> TransactionModel:
        return self.models[self.best]

    def __repr__(self) -> str:
        lines = [
            f"<ClvFit as of {self.cutoff} (unit {self.unit}): {len(self.summary):,} customers,"
            f" best {self.best}>"
        ]
        for name, model in self.models.items():
            shown = ", ".join(f"{k}={v:.4g}" for k, v in model.params_.items())
            bic = self.comparison["BIC"].get(name, float("nan"))
            lines.append(f"  {name}: {shown}; BIC {bic:,.1f}")
        if self.spend is not None:
            shown = ", ".join(f"{k}={v:.4g}" for k, v in self.spend.params_.items())
            lines.append(f"  spend (Gamma-Gamma): {shown}")
        else:
            lines.append("  spend: no model")
        if self.warnings:
            lines.append(f"  {len(self.warnings)} warning(s): see .warnings")
        return "\n".join(lines)


def observed_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with T floored at an instant, for the models.

    A customer whose first purchase is on the cutoff day was observed for no time; at T -> 0 the
    likelihood term vanishes and the predictions tend to P(alive) = 1 and the unconditional
    expectation, which an instant of observation reproduces. (Given T = 0 itself, a model
    leaves such customers out of its fit with a warning; the job counts them as customers,
    silently, since a new customer on the cutoff day is ordinary there.)
    """
    if (summary["T"] > 0).all():
        return summary
    return summary.assign(T=summary["T"].clip(lower=1e-6))


def fit_transaction_models(
    summary: pd.DataFrame,
    names: Any = DEFAULT_MODELS,
    *,
    penalizer: float = 0.0,
    progress: Progress = no_progress,
    weights: Any = None,
) -> tuple[dict[str, TransactionModel], pd.DataFrame, list[str]]:
    """Fit each named model on the summary: the models, their comparison table, and notes.

    The models fit on the distinct (frequency, recency, T) rows themselves. A model that does
    not converge is left out of the comparison with a note saying why; only when none
    converges is that an error. ``weights`` counts the customers of each row when the rows are
    already distinct histories (as engines other than the workspace's hand them over).
    """
    chosen = check_names(names)
    fitted: dict[str, TransactionModel] = {}
    notes: list[str] = []
    failures: list[ConvergenceError] = []
    for i, name in enumerate(chosen):
        progress(i, len(chosen), f"fitting {name}")
        model = model_class(name)(penalizer=penalizer)
        try:
            with by_customer(summary.index):
                fitted[name] = model.fit(
                    summary["frequency"], summary["recency"], summary["T"], weights=weights
                )
        except ConvergenceError as exc:
            failures.append(exc)
            notes.append(f"{name} left out of the comparison: {exc}")
    progress(len(chosen), len(chosen), "fitted")
    if not fitted:
        raise failures[0]
    table = pd.DataFrame(
        {
            "log_likelihood": [m.log_likelihood_ for m in fitted.values()],
            "n_params": [len(m.params_) for m in fitted.values()],
            "AIC": [m.AIC_ for m in fitted.values()],
            "BIC": [m.BIC_ for m in fitted.values()],
        },
        index=pd.Index(list(fitted), name="model"),
    )
    table["chosen"] = table.index == pick_by_bic(table["BIC"])
    return fitted, table, notes


def zero_spend_buyers(summary: pd.DataFrame) -> pd.Index:
    """Repeat buyers whose repeat orders net to $0 or less: their mean spend is unknown.

    Free replacements, $0 orders and repeat orders refunded in full leave no spend to learn
    from; Gamma-Gamma (which needs spend > 0) is fitted without them and they are scored with
    its population mean spend, flagged ``spend_imputed``.
    """
    return summary.index[(summary["frequency"] > 0) & (summary["monetary_value"] <= 0)]


_ROWS = re.compile(r"at rows? ([\d, ]+?)( and (\d+) more)?$")


@contextmanager
def by_customer(index: pd.Index) -> Iterator[None]:
    """Reword a model's ``DataError`` about row positions to name the customers instead.

    The models see arrays and can only count rows; on a workspace the user knows customers.
    """
    try:
        yield
    except DataError as exc:
        text = str(exc)
        found = _ROWS.search(text)
        if found is None:
            raise
        rows = [int(r) for r in found.group(1).split(",") if r.strip()]
        if not all(0 <= r < len(index) for r in rows):
            raise
        named = ", ".join(str(index[r]) for r in rows)
        more = f" and {found.group(3)} more" if found.group(3) else ""
        plural = "s" if len(rows) > 1 or more else ""
        raise DataError(f"{text[: found.start()]}for customer{plural} {named}{more}") from None


def _ids(index: pd.Index, shown: int = 5) -> str:
    names = ", ".join(str(i) for i in index[:shown])
    return names + (f" and {len(index) - shown} more" if len(index) > shown else "")


def fit_spend_model(
    summary: pd.DataFrame, *, penalizer: float = 0.0
) -> tuple[GammaGammaModel | None, list[str]]:
    """Gamma-Gamma on repeat buyers with positive spend; None (and a note) when too few.

    Repeat buyers whose repeat spend nets to <= 0 are left out with a note that counts and
    names them (see :func:`zero_spend_buyers`).
    """
    buyers = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    notes: list[str] = []
    missing = zero_spend_buyers(summary)
    if len(missing):
        notes.append(
            f"{len(missing)} repeat buyer(s) whose repeat orders net to $0 or less (customer"
            f" {_ids(missing)}) are left out of the spend model and scored with its population"
            " mean spend (flagged spend_imputed)"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = GammaGammaModel(penalizer=penalizer).fit(
                buyers["frequency"], buyers["monetary_value"]
            )
        except (DataError, ConvergenceError) as exc:
            return None, [
                *notes,
                f"spend model not fitted: {exc}; CLV is left empty (not 0) for customers"
                " without their own positive repeat spend",
            ]
    notes.extend(str(w.message) for w in caught)
    return model, notes


def last_purchase_day(source: Any) -> date | None:
    """The day of the newest transaction of a workspace, file or frame (None when empty).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"customer_id": ["007", "042"], "amount": [20.0, -5.0],
    ...                       "ts": ["2024-01-31 18:00", "2024-01-02"]})
    >>> last_purchase_day(frame)
    datetime.date(2024, 1, 31)
    """
    with summary_source(source) as engine:
        day = engine.scalar(sql_file(__package__, "last_purchase_day.sql"))
    return None if day is None else pd.Timestamp(day).date()


def check_within_data(source: Any, day: Any, name: str = "cutoff") -> None:
    """Refuse an as-of day after the newest transaction.

    Past the data, every customer looks silent since its end: the models read that as
    customers leaving and the fit is meaningless (or does not converge at all).
    """
    last = last_purchase_day(source)
    when = pd.Timestamp(day).date()
    if last is not None and when > last:
        raise DataError(
            f"{name} {when} is after the last transaction ({last}): the time after the data"
            f" would read as every customer going silent. Use {last} or earlier (the default"
            " cutoff is the last transaction's day)."
        )


def fit_clv(
    source: Any,
    cutoff: Any = None,
    *,
    models: Any = DEFAULT_MODELS,
    unit: str | None = None,
    penalizer: float = 0.0,
    progress: Progress = no_progress,
    within_data: bool = True,
) -> ClvFit:
    """Summarise ``source`` as of ``cutoff`` and fit transaction and spend models.

    ``source`` is a ``Workspace``, a Parquet/CSV file or a data frame of transactions (see
    :func:`cvm.features.rfm_summary`). ``cutoff`` defaults to the day of the newest
    transaction, as ``cvm fit`` does. ``models`` is one short name (``"bgnbd"``) or several
    (``["bgnbd", "paretonbd"]``). ``unit`` defaults to the workspace's ``time_unit``.
    A cutoff after the newest transaction is refused (see :func:`check_within_data`) unless
    ``within_data`` is False (a profile as of a later event day).
    """
    if cutoff is None:
        cutoff = last_purchase_day(source)
        if cutoff is None:
            raise DataError("no transactions to fit: load some with `cvm ingest transactions`")
    unit = unit or str(getattr(getattr(source, "config", None), "time_unit", "D"))
    if within_data:
        check_within_data(source, cutoff)
    progress(0, None, "summarising")
    summary = observed_summary(rfm_summary(source, cutoff, unit=unit))
    if summary.empty:
        raise DataError(f"no purchases on or before {cutoff}: nothing to fit")
    fitted, table, notes = fit_transaction_models(
        summary, models, penalizer=penalizer, progress=progress
    )
    spend, spend_notes = fit_spend_model(summary, penalizer=penalizer)
    return ClvFit(
        cutoff=pd.Timestamp(cutoff).date(),
        unit=unit,
        summary=summary,
        models=fitted,
        spend=spend,
        comparison=table,
        best=pick_by_bic(table["BIC"]),
        warnings=notes + spend_notes,
        spend_missing=[str(i) for i in zero_spend_buyers(summary)],
    )
