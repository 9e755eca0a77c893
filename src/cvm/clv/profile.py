"""The customer profile with its CLV columns filled: the CLV job's part of the 360 view.

:func:`cvm.features.profile.customer_profile` is SQL only: it takes CLV from a stored ``clv``
run or from scores it is handed. When there is no run at the profile's day, this job fits
MBG/NBD (BG/NBD if it does not converge) with Gamma-Gamma as of that day and hands the scores
over, so features never call the model fitting above them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._dates import parse_day
from cvm._exceptions import ConvergenceError, DataError
from cvm.features.profile import customer_profile, stored_clv_run, table_frame

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["fitted_clv", "profile_frame", "profile_with_clv"]


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


def fitted_clv(ws: Workspace, day: date, notes: list[str]) -> pd.DataFrame | None:
    """MBG/NBD (or BG/NBD) and Gamma-Gamma fitted as of ``day`` and scored; None, with the
    reason added to ``notes``, when they cannot be (no purchases, too few customers)."""
    from cvm.clv.fitting import fit_clv
    from cvm.clv.scoring import score_clv

    try:
        fit = fit_clv(ws, day, models=("mbgnbd", "bgnbd"), unit="D", within_data=False)
        scores = score_clv(fit, intervals=False)
    except (DataError, ConvergenceError) as exc:
        notes.append(
            f"CLV and P(alive) left empty as of {day}: {exc} (store a clv run with"
            " `cvm score --cutoff` to use your own)"
        )
        return None
    notes.extend(f"CLV as of {day}: {w}" for w in fit.warnings)
    return scores[["clv", "p_alive", "expected_purchases"]].reset_index(names="customer_id")
