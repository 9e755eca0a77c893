"""What a report page shows: headline cards, small tables, plotly charts and notes, grouped in
sections, with every figure formatted as text once (so every page shows the same figures)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["GLOSSARY", "Card", "Chart", "ReportData", "Section", "Table", "fmt", "fmt_change"]

GLOSSARY: dict[str, tuple[str, str]] = {
    "BIC": (
        r"\bBIC\b",
        "Bayesian information criterion: how well a model fits the purchases, penalised for"
        " the number of parameters it needs; the lowest BIC is the best trade-off.",
    ),
    "Qini": (
        r"\bQini\b",
        "the extra responses won by contacting customers in the order the uplift model ranks"
        " them, against contacting them at random; 0 is no better than random.",
    ),
    "P(alive)": (
        r"\bp[ _(]alive\b\)?",
        "the chance a customer is still a customer (has not quietly stopped buying), from how"
        " often and how recently they bought.",
    ),
    "AIC": (
        r"\bAIC\b",
        "Akaike information criterion: like BIC, with a lighter penalty for parameters.",
    ),
    "RFM": (
        r"\bRFM\b",
        "recency, frequency, monetary value: segments named from how recently, how often and"
        " how much a customer bought.",
    ),
    "NPS": (
        r"\bNPS\b",
        "Net Promoter Score: the share of promoters (9-10 out of 10) less the share of"
        " detractors (0-6), from -100 to +100.",
    ),
}
"""Plain words for the jargon a page uses: term -> (pattern found in the page, meaning)."""


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


def fmt_change(value: Any, kind: str = "money") -> str:
    """A change with its sign, ``no change`` when it shows as zero: never ``-0``.

    >>> fmt_change(-0.3, "int"), fmt_change(1234.4), fmt_change(-0.3), fmt_change(0.0)
    ('no change', '+1,234', '−0.30', 'no change')
    """
    text = fmt(value, kind)
    if text == "–":
        return text
    size = fmt(abs(float(value)), kind)
    if not re.search(r"[1-9]", size):
        return "no change"
    return ("+" if float(value) > 0 else "−") + size


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

    def text(self) -> str:
        """Every word the section shows (lead, cards, tables, chart titles, notes)."""
        parts = [self.lead, *self.notes]
        parts += [f"{c.label} {c.note}" for c in self.cards]
        parts += [f"{t.title} {' '.join(t.columns)}" for t in self.tables]
        parts += [str(c.figure.layout.title.text or "") for c in self.charts]
        return " ".join(parts)

    @property
    def glossary(self) -> list[tuple[str, str]]:
        """(term, plain meaning) of each jargon term the section uses, in GLOSSARY order."""
        text = self.text()
        return [
            (term, meaning)
            for term, (pattern, meaning) in GLOSSARY.items()
            if re.search(pattern, text, re.IGNORECASE if term == "P(alive)" else 0)
        ]


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
    later: dict[str, date] = field(default_factory=dict)
    """Runs missing as of ``as_of`` that exist later: kind (clv, segments) -> first cutoff."""

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]
