"""Write a simulated business as the source files a user would hand to ``cvm ingest``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from cvm._exceptions import ConfigError
from cvm.datasets.business import SimulatedBusiness

__all__ = ["FILE_STEMS", "write_files"]

FILE_STEMS = {
    "customers": "customers",
    "transactions": "transactions",
    "order_items": "order_items",
    "products": "products",
    "subscriptions": "subscriptions",
    "survey_responses": "surveys",
    "campaigns": "campaigns",
    "assignments": "assignments",
    "customer_truth": "truth_customers",
}
DEFAULT_FORMATS = {"order_items": "parquet"}
_FORMATS = ("csv", "parquet")


def write_files(
    business: SimulatedBusiness,
    directory: str | Path,
    *,
    formats: Mapping[str, str] | None = None,
) -> dict[str, Path]:
    """Write every table, ``events.jsonl`` and ``truth.json`` into ``directory``.

    Parameters
    ----------
    business : what :func:`cvm.datasets.simulate` returned.
    directory : created if missing; existing files of the same names are replaced.
    formats : ``"csv"`` or ``"parquet"`` per table name (``order_items`` defaults to parquet,
        every other table to csv), e.g. ``{"transactions": "parquet"}``.

    Returns
    -------
    The path written for each table name, plus ``"events"`` and ``"truth"``.
    """
    chosen = {**DEFAULT_FORMATS, **(formats or {})}
    for table, fmt in chosen.items():
        if table not in FILE_STEMS:
            raise ConfigError(f"formats: unknown table {table!r}; known: {sorted(FILE_STEMS)}")
        if fmt not in _FORMATS:
            raise ConfigError(f"formats[{table!r}] must be one of {_FORMATS}, got {fmt!r}")
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    tables = business.tables()
    paths: dict[str, Path] = {}
    for table, stem in FILE_STEMS.items():
        fmt = chosen.get(table, "csv")
        path = root / f"{stem}.{fmt}"
        _write_table(tables[table], path, fmt)
        paths[table] = path
    paths["events"] = root / "events.jsonl"
    write_events_jsonl(business.events, paths["events"])
    paths["truth"] = root / "truth.json"
    paths["truth"].write_text(json.dumps(business.truth, indent=2) + "\n", encoding="utf-8")
    return paths


def _write_table(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if fmt == "parquet":
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def _field(name: str, values: pd.Series, *, quote: bool) -> pd.Series:
    """``"name": value, `` per row, or an empty string where the value is missing."""
    text = ('"' + values + '"') if quote else values
    return (f'"{name}": ' + text + ", ").fillna("")


def write_events_jsonl(events: pd.DataFrame, path: Path) -> None:
    """One Segment message per line: messageId, type, userId, anonymousId, timestamp, ..."""
    if events.empty:
        path.write_text("", encoding="utf-8")
        return
    stamps = np.datetime_as_string(events["ts"].to_numpy().astype("datetime64[s]"), unit="s")
    line = (
        '{"messageId": "' + events["message_id"] + '", "type": "' + events["type"] + '", '
        + _field("userId", events["user_id"], quote=True)
        + _field("anonymousId", events["anonymous_id"], quote=True)
        + _field("event", events["event"], quote=True)
        + _field("properties", events["properties"], quote=False)
        + _field("traits", events["traits"], quote=False)
        + '"timestamp": "' + pd.Series(stamps, index=events.index) + 'Z"}'
    )  # fmt: skip
    with path.open("w", encoding="utf-8") as fh:
        fh.write("\n".join(line.tolist()))
        fh.write("\n")
