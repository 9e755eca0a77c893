"""The closed loop: response rates and lifts learned from measured campaigns, as priors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["learned_priors"]


def learned_priors(ws: Workspace, *, offer_id: str | None = None) -> pd.DataFrame:
    """Measured response per offer, channel, arm, segment and metric, pooled over campaigns.

    Each measurement stores its per-arm rates and lifts (``response_priors``); this pools them:
    rates weighted by customers, lift as the inverse-variance weighted mean with its standard
    error (a fixed-effect meta-analysis). The decision step reads ``treatment_rate`` (response
    when contacted), ``lift`` and ``lift_se`` as priors. ``segment`` is ``all`` or a stratum.
    """
    frame = ws.engine.frame(sql_file(__package__, "priors.sql"))
    if offer_id is not None:
        frame = frame[frame["offer_id"] == offer_id].reset_index(drop=True)
    frame["lift_lower"] = frame["lift"] - 1.959964 * frame["lift_se"]
    frame["lift_upper"] = frame["lift"] + 1.959964 * frame["lift_se"]
    return frame
