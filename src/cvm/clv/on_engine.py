"""CLV on any engine: the summary as SQL where the data is, the fit on the driver, the scoring
in batches beside the data.

The as-of summary runs as the same SQL file on DuckDB or Spark. The transaction models need
only the distinct (frequency, recency, T) histories with how many customers share each, and the
spend model the distinct (frequency, spend) pairs: small whatever the number of customers, so
they are collected and fitted here. Scoring applies the same numpy functions as the workspace
job (:func:`cvm.clv.scoring.score_clv`) to each batch of customers, inside ``mapInPandas`` on
Spark. Scores are written as Parquet partitioned by run, for ``cvm publish``, BI tools and the
service to read.
"""

from __future__ import annotations

import uuid
import warnings
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cvm._dates import parse_day
from cvm._exceptions import ConvergenceError, DataError
from cvm.clv.fitting import ClvFit, fit_transaction_models, observed_summary
from cvm.clv.registry import DEFAULT_MODELS, pick_by_bic
from cvm.clv.scoring import score_clv
from cvm.engines import Engine, location, sql_file
from cvm.features.on_engine import write_record_row
from cvm.features.summary import PERIODS, UNIT_DAYS, bind_source
from cvm.models import GammaGammaModel

SCORES = pa.schema(
    [("customer_id", pa.string())]
    + [
        (c, pa.float64())
        for c in (
            "frequency",
            "recency",
            "T",
            "monetary_value",
            "expected_purchases",
            "p_alive",
            "expected_spend",
            "clv",
        )
    ]
    + [("spend_imputed", pa.bool_()), ("clv_lower", pa.float64()), ("clv_upper", pa.float64())]
)


def summarise(
    engine: Engine,
    cutoff: Any,
    *,
    unit: str = "D",
    period: str = "D",
    relation: str = "transactions",
) -> date:
    """Keep the as-of summary of the engine's ``transactions`` (or of ``relation``, such as
    ``source_transactions``: the folder with canonical columns) as ``clv_summary``."""
    if unit not in UNIT_DAYS or period not in PERIODS:
        raise DataError(f"unit must be 'D' or 'W' and period 'D', 'W' or 'M'; got {unit}, {period}")
    day = parse_day(cutoff, "cutoff", DataError)
    bind_source(engine, relation)
    params = {"cutoff": day, "unit_days": UNIT_DAYS[unit], "period": PERIODS[period]}
    engine.materialize("clv_summary", sql_file("cvm.features", "summary.sql"), params)
    return day


def fit_on_engine(
    engine: Engine,
    cutoff: date,
    *,
    models: Any = DEFAULT_MODELS,
    unit: str = "D",
    penalizer: float = 0.0,
) -> ClvFit:
    """Fit the transaction and spend models on the distinct histories of ``clv_summary``.

    The fit's ``summary`` holds those distinct histories (with ``customers``), not customers.
    """
    histories = engine.frame(sql_file(__package__, "engine_histories.sql"))
    if histories.empty:
        raise DataError(f"no purchases on or before {cutoff}: nothing to fit")
    histories = observed_summary(histories.astype({"frequency": float, "recency": float}))
    weights = histories["customers"].to_numpy(dtype=float)
    fitted, table, notes = fit_transaction_models(
        histories, models, penalizer=penalizer, weights=weights
    )
    notes.extend(_zero_spend_note(engine))
    spend_rows = engine.frame(sql_file(__package__, "engine_spend.sql"))
    spend: GammaGammaModel | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            spend = GammaGammaModel(penalizer=penalizer).fit(
                spend_rows["frequency"].to_numpy(dtype=float),
                spend_rows["monetary_value"].to_numpy(dtype=float),
                weights=spend_rows["customers"].to_numpy(dtype=float),
            )
        except (DataError, ConvergenceError) as exc:
            notes.append(
                f"spend model not fitted: {exc}; CLV is left empty for those without spend"
            )
    notes.extend(str(w.message) for w in caught)
    return ClvFit(
        cutoff=cutoff,
        unit=unit,
        summary=histories,
        models=fitted,
        spend=spend,
        comparison=table,
        best=pick_by_bic(table["BIC"]),
        warnings=notes,
    )


def _zero_spend_note(engine: Engine) -> list[str]:
    """The note :func:`cvm.clv.fitting.fit_spend_model` writes on a workspace: repeat buyers
    whose repeat orders net to $0 or less, counted and the first few named."""
    rows = engine.rows(sql_file(__package__, "engine_zero_spend.sql"))
    if not rows:
        return []
    total = int(rows[0][1])
    names = ", ".join(str(r[0]) for r in rows)
    more = f" and {total - len(rows)} more" if total > len(rows) else ""
    return [
        f"{total} repeat buyer(s) whose repeat orders net to $0 or less (customer {names}{more})"
        " are left out of the spend model and scored with its population mean spend (flagged"
        " spend_imputed)"
    ]


def score_batch(frame: pd.DataFrame, *, fit: ClvFit, options: dict[str, Any]) -> pd.DataFrame:
    """Score one batch of ``clv_summary`` rows with the fitted models (numpy, no database)."""
    if frame.empty:
        return SCORES.empty_table().to_pandas()
    summary = observed_summary(
        frame.set_index("customer_id")[["frequency", "recency", "T", "monetary_value"]]
    )
    scored = score_clv(replace(fit, summary=summary), **options)
    if "clv_lower" not in scored:
        scored = scored.assign(clv_lower=np.nan, clv_upper=np.nan)
    scored.index.name = "customer_id"
    return scored.reset_index()[SCORES.names]


def score_on_engine(engine: Engine, fit: ClvFit, **options: Any) -> None:
    """Keep every customer's scores as ``clv_scores``, computed batch by batch on the engine."""
    engine.map_frames(
        "clv_scores",
        sql_file(__package__, "engine_summary_rows.sql"),
        partial(score_batch, fit=fit, options=options),
        SCORES,
    )


def clv_on_engine(
    engine: Engine,
    output: str | Path,
    cutoff: Any,
    *,
    models: Any = DEFAULT_MODELS,
    unit: str = "D",
    period: str = "D",
    **options: Any,
) -> tuple[str, ClvFit]:
    """Summarise, fit and score on ``engine``; write the scores under ``output``/run_id=...

    Returns the run id and the fit. ``options`` go to :func:`cvm.clv.scoring.score_clv`
    (``horizon_years``, ``annual_discount_rate``, ``margin``, ``intervals``, ``model``).
    """
    day = summarise(engine, cutoff, unit=unit, period=period)
    fit = fit_on_engine(engine, day, models=models, unit=unit)
    score_on_engine(engine, fit, **options)
    run_id = f"clv-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    engine.write_parquet(
        sql_file(__package__, "engine_scores_out.sql"),
        location(output),
        {"run_id": run_id, "cutoff": day},
        partition_by=["run_id"],
    )
    write_run_record(engine, output, run_id, fit, options)
    return run_id, fit


def write_run_record(
    engine: Engine, output: str | Path, run_id: str, fit: ClvFit, options: dict[str, Any]
) -> None:
    """Write the run's record (models, parameters, metrics) beside its scores, as the
    workspace keeps it in ``model_runs``: read back, the run re-scores live profiles."""
    from cvm.clv.runs import run_record

    settings = {"cutoff": str(fit.cutoff), "engine": engine.name, **options}
    if "annual_discount_rate" in options:  # the name the workspace's runs keep it under
        settings["discount_rate"] = options["annual_discount_rate"]
    params, metrics = run_record(fit, settings)
    write_record_row(engine, output, run_id, "clv", fit.best, params, metrics, fit.cutoff)
