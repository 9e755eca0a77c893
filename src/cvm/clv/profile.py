"""The customer profile with its CLV columns filled: the CLV job's part of the 360 view.

:func:`cvm.features.profile.customer_profile` is SQL only: it takes CLV from a stored ``clv``
run or from scores it is handed. When there is no run at the profile's day, this job fits
MBG/NBD (BG/NBD if it does not converge) with Gamma-Gamma as of that day and hands the scores
over, so features never call the model fitting above them. The fit runs on an engine
(:func:`fit_profile_clv`), the workspace's or Spark's for a segments run there, with the same
numbers on both.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._dates import parse_day
from cvm._exceptions import ConvergenceError, DataError
from cvm.engines import sql_file
from cvm.features.profile import customer_profile, stored_clv_run, table_frame

if TYPE_CHECKING:
    from cvm.clv.fitting import ClvFit
    from cvm.engines import Engine
    from cvm.workspace import Workspace

__all__ = ["PROFILE_MODELS", "fit_profile_clv", "fitted_clv", "profile_frame", "profile_with_clv"]


def profile_with_clv(
    ws: Workspace,
    as_of: date | str,
    *,
    clv_run: str | None = None,
    fit_clv: bool = True,
    notes: list[str] | None = None,
) -> str:
    """Build the as-of profile (``customer_profile``) with CLV, and return its name.

    Parameters
    ----------
    ws, as_of, clv_run : as for :func:`cvm.features.profile.customer_profile`.
    fit_clv : when no such run exists, fit MBG/NBD (BG/NBD if it does not converge) with
        Gamma-Gamma as of ``as_of`` and score (no intervals); when False the CLV columns stay
        NULL.
    notes : a list that receives why the CLV columns are NULL when the fit failed, and the
        fit's own warnings (e.g. spend imputed for $0 repeat buyers), for the caller to show.
    """
    day = parse_day(as_of, "as_of")
    run = clv_run or stored_clv_run(ws, day)
    scores = None
    if run is None and fit_clv:
        scores = fitted_clv(ws, day, notes if notes is not None else [])
    return customer_profile(ws, day, clv_run=run, clv_scores=scores)


def profile_frame(ws: Workspace, as_of: date | str, **options: Any) -> pd.DataFrame:
    """The profile with CLV as a data frame indexed by ``customer_id`` (small data, tests)."""
    return table_frame(ws, profile_with_clv(ws, as_of, **options))


PROFILE_MODELS = ("mbgnbd", "bgnbd")
"""The transaction models fitted for a profile without a stored run (the first that
converges and wins on BIC; see :func:`cvm.clv.registry.pick_by_bic`)."""


def fitted_clv(ws: Workspace, day: date, notes: list[str]) -> pd.DataFrame | None:
    """MBG/NBD (or BG/NBD) and Gamma-Gamma fitted as of ``day`` and scored; None, with the
    reason added to ``notes``, when they cannot be (no purchases, too few customers).

    The fit is :func:`fit_profile_clv` on the workspace's engine: the same job as a segments
    run on Spark, so both give a customer the same CLV.
    """
    if fit_profile_clv(ws.engine, day, notes) is None:
        return None
    return ws.engine.frame(sql_file(__package__, "profile_scores.sql"))


def fit_profile_clv(
    engine: Engine, day: date, notes: list[str], *, relation: str = "transactions"
) -> ClvFit | None:
    """Fit the profile's CLV as of ``day`` on ``engine`` and keep the scores as
    ``clv_scores``; the fit, or None with the reason added to ``notes``.

    The transaction models see the distinct histories with their counts, in one order on
    every engine (:func:`cvm.clv.on_engine.fit_on_engine`), so the workspace and Spark fit
    the same parameters. The day may be after the last purchase (a profile as of a later
    event day), as ``fit_clv(..., within_data=False)`` allows. Scored without intervals.
    """
    from cvm.clv.on_engine import fit_on_engine, score_on_engine, summarise

    try:
        summarise(engine, day, unit="D", period="D", relation=relation)
        fit = fit_on_engine(engine, day, models=PROFILE_MODELS, unit="D")
        score_on_engine(engine, fit, intervals=False)
    except (DataError, ConvergenceError) as exc:
        notes.append(
            f"CLV and P(alive) left empty as of {day}: {exc} (store a clv run with"
            " `cvm score --cutoff` to use your own)"
        )
        return None
    notes.extend(f"CLV as of {day}: {w}" for w in fit.warnings)
    return fit
