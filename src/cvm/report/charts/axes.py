"""Axis formats shared by the charts: money and counts in short SI form (``650k``), dates as
dates, and two y axes whose zero lines meet with round ticks (1, 2 or 5 x a power of ten), so a
dual-axis chart never shows ``-0.57%`` or ``-12.5k``."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import plotly.graph_objects as go

__all__ = ["COUNT", "MONEY", "PERCENT", "RATIO", "axis", "dual_axes", "nice_ticks", "tick_label"]

COUNT = "count"
"""Counts: 1.2k, 35k on the axis; exact in the hover."""
MONEY = "money"
"""Money (in the workspace's currency): 650k, 1.2M on the axis; two decimals in the hover."""
PERCENT = "percent"
"""Values already in percent (0-100): 20%, 40%."""
RATIO = "ratio"
"""Plain numbers such as value per unit of budget: 0.5, 12, 1.2k."""

HOVER = {COUNT: ",.0f", MONEY: ",.2f", PERCENT: ",.1f", RATIO: ",.2f"}


def tick_label(value: float, kind: str) -> str:
    """A tick's text: short SI form for counts, money and ratios, a percent sign for percents.

    >>> [tick_label(v, MONEY) for v in (0, 650_000, 1_250_000, -12_000, 0.5)]
    ['0', '650k', '1.25M', '−12k', '0.5']
    >>> tick_label(40, PERCENT), tick_label(-0.0, PERCENT)
    ('40%', '0%')
    """
    if kind == PERCENT:
        text = f"{value:,.3g}%"
    else:
        size = abs(value)
        for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if size >= limit:
                text = f"{value / limit:.3g}{suffix}"
                break
        else:
            text = f"{value:.3g}"
    text = text.replace("-", "−")
    return "0" + text[2:] if text.startswith("−0") and not re.search(r"[1-9]", text) else text


def axis(kind: str, ticks: list[float]) -> dict[str, Any]:
    """Layout of a y axis with ``ticks`` labelled for ``kind``."""
    return {
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [tick_label(t, kind) for t in ticks],
        "hoverformat": HOVER[kind],
    }


def _step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering ``[lo, hi]`` (zero included when inside), about ``count``.

    >>> nice_ticks(0, 97)
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    >>> nice_ticks(-1200, 3400)
    [-2000.0, -1000.0, 0.0, 1000.0, 2000.0, 3000.0, 4000.0]
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0 if math.isfinite(lo) else 1.0
        lo = min(lo, 0.0) if math.isfinite(lo) else 0.0
    step = _step(hi - lo, count)
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    n = round((last - first) / step)
    return [round(first + k * step, 12) + 0.0 for k in range(n + 1)]


def _extent(values: Iterable[Any]) -> tuple[float, float]:
    data = np.asarray(list(values), dtype=float)
    data = data[np.isfinite(data)]
    if data.size == 0:
        return 0.0, 1.0
    return min(0.0, float(data.min())), max(0.0, float(data.max()))


def dual_axes(
    fig: go.Figure,
    left: Iterable[Any],
    right: Iterable[Any],
    left_kind: str,
    right_kind: str,
) -> go.Figure:
    """Set both y axes (``yaxis`` and ``yaxis2``) to round ticks with their zeros level.

    ``left`` and ``right`` are every value (or extreme) each axis must show. Each axis gets
    round ticks over its own data, labelled for its kind (:data:`COUNT`, :data:`MONEY`...);
    the ranges then stretch so that zero sits at the same height on both, and the axis
    without negative data shows no negative tick.
    """
    lo1, hi1 = _extent(left)
    lo2, hi2 = _extent(right)
    t1, t2 = nice_ticks(lo1, hi1), nice_ticks(lo2, hi2)
    r1 = [min(t1[0], lo1), max(t1[-1], hi1)]
    r2 = [min(t2[0], lo2), max(t2[-1], hi2)]
    below = max(-r1[0] / (r1[1] - r1[0]), -r2[0] / (r2[1] - r2[0]))
    below = min(below, 0.95)
    for r in (r1, r2):  # stretch the negative side so zero is at the same height
        if r[1] > 0:
            r[0] = min(r[0], -below / (1 - below) * r[1])
    for r in (r1, r2):
        pad = 0.04 * (r[1] - r[0])
        r[0], r[1] = r[0] - (pad if r[0] < 0 else 0.0), r[1] + pad
    if r1[0] < 0 and r2[0] < 0:  # padding kept zero level only if both pad the same share
        r2[0] = r1[0] / r1[1] * r2[1]
    fig.update_layout(
        yaxis={"range": r1, "zeroline": True} | axis(left_kind, t1),
        yaxis2={"range": r2, "showgrid": False, "zeroline": False}
        | axis(right_kind, [t for t in t2 if t >= r2[0]]),
    )
    return fig
