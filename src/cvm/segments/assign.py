"""RFM scores and named segment, value tier and lifecycle stage of every customer, in SQL."""

from __future__ import annotations

from datetime import date
from itertools import accumulate
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm._dates import parse_day
from cvm._exceptions import ConfigError, DataError
from cvm.clv.profile import profile_with_clv
from cvm.engines import sql_file
from cvm.features.profile import PROFILE_TABLE, table_frame
from cvm.rules import bind, check, evaluate_arrow
from cvm.segments.rule_checks import table_columns
from cvm.segments.settings import SegmentSettings

if TYPE_CHECKING:
    from cvm.engines import Engine
    from cvm.workspace import Workspace

SEGMENT_TABLE = "customer_segments"
SEGMENT_COLUMNS = ("r_score", "f_score", "m_score", "rfm", "rfm_segment", "tier", "lifecycle")


def default_as_of(ws: Workspace) -> date:
    """The day of the newest transaction, event or contract start/end: the natural as-of day.

    (An end date still ahead, a fixed term booked in advance, does not count.)
    """
    day = ws.engine.scalar(sql_file(__package__, "default_as_of.sql"))
    if day is None:
        raise DataError(
            "the workspace has no transactions, events or subscriptions: load some with"
            " `cvm ingest`"
        )
    return day


def settings_of(ws: Workspace) -> SegmentSettings:
    return ws.settings.segments


def segment_table(
    ws: Workspace,
    as_of: date | str,
    settings: SegmentSettings | None = None,
    *,
    profile: str | None = None,
    typical_gap: float | None = None,
    **profile_options: Any,
) -> str:
    """Build ``customer_segments`` (the profile plus RFM, tier, lifecycle) and return its name.

    ``profile`` names an already built profile table (``customer_profile``); otherwise it is
    built as of ``as_of`` with ``profile_options`` (see
    :func:`cvm.clv.profile.profile_with_clv`). ``typical_gap`` stages one-time buyers
    (default: the median of the profile's ``ipt_mean``).
    """
    day = parse_day(as_of, "as_of")
    settings = settings or settings_of(ws)
    if profile is None:
        profile = profile_with_clv(ws, day, **profile_options)
    if profile != PROFILE_TABLE:
        raise ConfigError(f"segment tables are built from {PROFILE_TABLE}, not {profile!r}")
    return segments_on(ws.engine, day, settings, typical_gap)


def segments_on(
    engine: Engine, day: date, settings: SegmentSettings, typical_gap: float | None = None
) -> str:
    """Build ``customer_segments`` from the ``customer_profile`` already on ``engine`` (the
    workspace's, or Spark's for a segments run there: ``segments.sql`` transpiled)."""
    rfm_map_table(engine, settings)
    engine.run(sql_file(__package__, "segments.sql"), segment_params(day, settings, typical_gap))
    return SEGMENT_TABLE


RFM_MAP_TABLE = "rfm_map_lookup"


def rfm_map_table(engine: Engine, settings: SegmentSettings) -> str:
    """The named RFM map as a lookup table ``(r, f, m, segment)`` over every score triple.

    Each rule passes the guard of :mod:`cvm.rules` and is evaluated in its locked sandbox on
    the grid of possible scores (at most a few hundred rows), never on the workspace
    connection; the first rule that holds names the triple, as a CASE would.
    """
    import pyarrow as pa

    engine.run(sql_file(__package__, "rfm_map_check.sql"))
    columns = table_columns(engine, "rfm_map_check")  # read once: a query each on Spark
    checked = {
        name: check(rule, f"segments.rfm.map {name!r}", columns)
        for name, rule in settings.rfm_map.items()
    }
    bind(engine, "rfm_map_check", checked)
    engine.run(sql_file(__package__, "rfm_map_check_drop.sql"))
    top = {
        axis: len(settings.edges.get(axis, [])) + 1 if settings.edges.get(axis) else settings.bins
        for axis in ("recency", "frequency", "monetary")
    }
    grid = pd.MultiIndex.from_product(
        [range(1, top["recency"] + 1), range(1, top["frequency"] + 1),
         range(1, top["monetary"] + 1)], names=["r", "f", "m"],
    ).to_frame(index=False)  # fmt: skip
    grid["fm"] = (grid["f"] + grid["m"]) / 2.0
    grid["customer_id"] = [str(k) for k in range(len(grid))]
    held = evaluate_arrow(pa.Table.from_pandas(grid, preserve_index=False), checked)
    held = held.reindex(grid["customer_id"])
    first = held.idxmax(axis=1).where(held.any(axis=1))
    rows = pd.DataFrame(
        {
            "r": grid["r"].to_numpy(dtype="int64"),
            "f": grid["f"].to_numpy(dtype="int64"),
            "m": grid["m"].to_numpy(dtype="int64"),
            "segment": pd.Series(
                [None if pd.isna(name) else str(name) for name in first.to_numpy()],
                dtype="string",
            ),
        }
    )
    with engine.register("rfm_map_rows", rows):
        engine.run(sql_file(__package__, "rfm_map_lookup.sql"))
    return RFM_MAP_TABLE


def segment_params(
    day: date, settings: SegmentSettings, typical_gap: float | None = None
) -> dict[str, Any]:
    """The parameters of ``segments.sql``; ``typical_gap`` None takes the profile's median."""
    edges = settings.edges
    return {
        "as_of": day,
        "bins": settings.bins,
        "r_edges": edges.get("recency", []),
        "f_edges": edges.get("frequency", []),
        "m_edges": edges.get("monetary", []),
        "tier_cuts": list(accumulate(settings.tier_shares)),
        "tier_names": list(settings.tier_names),
        "typical_gap": typical_gap,
        **settings.lifecycle,
    }


def segment_frame(
    ws: Workspace, as_of: date | str, settings: SegmentSettings | None = None, **options: Any
) -> pd.DataFrame:
    """The segment table as a data frame indexed by ``customer_id`` (small data, tests)."""
    return table_frame(ws, segment_table(ws, as_of, settings, **options))
