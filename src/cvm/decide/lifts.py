"""Where each offer's lift comes from: an uplift model, measured campaigns, or the catalog.

For each offer the most specific evidence wins, customer by customer: the newest uplift model
fitted on a campaign of that offer (``uplift_scores``), else the lift learned from measured
campaigns of that offer (:func:`cvm.campaigns.learned_priors`, per segment when the customer's
country or acquisition channel was a measured stratum, else overall), else the offer's
configured ``lift``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.decide.catalog import Offer
    from cvm.workspace import Workspace

__all__ = ["offer_lifts"]


def _has_table(ws: Workspace, name: str) -> bool:
    return bool(ws.engine.scalar(sql_file(__package__, "table_count.sql"), {"name": name}))


def _learned(ws: Workspace) -> pd.DataFrame:
    if not _has_table(ws, "response_priors"):
        return pd.DataFrame()
    try:
        from cvm.campaigns import learned_priors
    except ImportError:  # the campaigns package is optional for planning
        return pd.DataFrame()
    frame = learned_priors(ws)
    if frame.empty:
        return frame
    frame = frame[(frame["metric"] == "conversion") & (frame["arm"] != "control")]
    # several treatment arms of one offer: the best measured arm is the one that would be sent
    return frame.sort_values("lift", ascending=False).drop_duplicates(["offer_id", "segment"])


def _uplift(ws: Workspace, ids: pd.Index, offer_id: str) -> np.ndarray | None:
    if not _has_table(ws, "uplift_scores"):
        return None
    frame = ws.engine.frame(sql_file(__package__, "uplift_newest.sql"), {"offer_id": offer_id})
    if frame.empty:
        return None
    return frame.set_index("customer_id")["uplift"].reindex(ids).to_numpy(float)


def offer_lifts(
    ws: Workspace, offers: list[Offer], customers: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """(customers, offers) lifts and source codes (0 prior, 1 learned, 2 uplift).

    ``customers`` is indexed by customer id with ``country`` and ``acquisition_channel``.
    """
    n, m = len(customers), len(offers)
    lift = np.tile(np.array([o.lift for o in offers], dtype=float), (n, 1))
    source = np.zeros((n, m), dtype=np.int8)
    learned = _learned(ws)
    for k, o in enumerate(offers):
        rows = learned[learned["offer_id"] == o.id] if not learned.empty else learned
        if not rows.empty:
            by_segment = rows.set_index("segment")["lift"]
            if "all" in by_segment.index:
                lift[:, k] = float(by_segment["all"])
                source[:, k] = 1
            for column in ("acquisition_channel", "country"):
                values = customers[column].astype("object").map(by_segment)
                hit = values.notna().to_numpy()
                lift[hit, k] = values.to_numpy(float)[hit]
                source[hit, k] = 1
        scores = _uplift(ws, customers.index, o.id)
        if scores is not None:
            hit = np.isfinite(scores)
            lift[hit, k] = scores[hit]
            source[hit, k] = 2
    return lift, source
