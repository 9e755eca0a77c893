"""Data frames as JSON records: dates as ISO text, NaN as null, numpy scalars as numbers."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

__all__ = ["records"]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as plain JSON-ready dicts."""
    rows: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return rows
