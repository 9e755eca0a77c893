"""What a report page shows: headline cards, small tables, plotly charts and notes, grouped in
sections, with every figure formatted as text once (so every page shows the same figures)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["Card", "Chart", "ReportData", "Section", "Table", "fmt"]


def fmt(value: Any, kind: str = "num") -> str:
    """A cell as text: ``int``, ``num``, ``money``, ``pct`` (a share) or ``date``.

    >>> fmt(0.1234, "pct"), fmt(1234.5, "money"), fmt(12.345, "money"), fmt(None)
    ('12.3%', '1,234', '12.35', '–')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return "–"
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if isinstance(value, pd.Timestamp | datetime | date):
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    if isinstance(value, str | bool):
        return str(value)
    v = float(value)
    if kind == "pct":
        return f"{100 * v:.1f}%"
    if kind == "int":
        return f"{v:,.0f}"
    if kind == "money":
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}"


@dataclass
class Card:
    """One headline figure."""

    label: str
    value: str
    note: str = ""


@dataclass
class Table:
    """A small table already formatted as text, so every page shows the same figures.

    >>> t = Table.from_frame("Tiers", pd.DataFrame({"tier": ["gold"], "share": [0.25]}),
    ...                      {"share": "pct"})
    >>> t.columns, t.rows
    (['tier', 'share'], [['gold', '25.0%']])
    """

    title: str
    columns: list[str]
    rows: list[list[str]]

    @classmethod
    def from_frame(
        cls, title: str, frame: pd.DataFrame, kinds: dict[str, str] | None = None
    ) -> Table:
        kinds = kinds or {}
        rows = [
            [fmt(v, kinds.get(str(c), "num")) for c, v in zip(frame.columns, r, strict=True)]
            for r in frame.itertuples(index=False)
        ]
        return cls(title, [str(c).replace("_", " ") for c in frame.columns], rows)


@dataclass
class Chart:
    """A plotly figure with a stable id; ``to_json`` is what a page hands to ``Plotly.newPlot``."""

    key: str
    figure: go.Figure

    def to_json(self) -> str:
        text = self.figure.to_json()
        return text.replace("</", "<\\/")  # never close the <script> that holds it


@dataclass
class Section:
    """One part of the report: headline cards, tables, charts and notes."""

    key: str
    title: str
    lead: str = ""
    cards: list[Card] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ReportData:
    """Everything a report page shows, as of ``as_of`` for ``segment`` (None: everyone)."""

    title: str
    workspace: str
    as_of: date
    segment: str | None
    generated_at: datetime
    sections: list[Section]
    segment_choices: list[str] = field(default_factory=list)
    runs: dict[str, str | None] = field(default_factory=dict)

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]
