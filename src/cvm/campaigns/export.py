"""Export a campaign's target list for its channel and record each contact.

Only treated customers who still pass the contact policy at export time (consent, address,
suppression by any identifier) are written; the controls are never selected. The file is laid
out for the tool that imports it (``cvm.campaigns.formats``: Mailchimp, Klaviyo, Marketo,
Pardot, plain CSV or Parquet), and a manifest beside it (``<file>.manifest.json``) records what
was exported: campaign, format, rows, columns, time and the file's SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlglot.expressions as exp

from cvm._exceptions import DataError
from cvm.campaigns.design import get_campaign, set_status
from cvm.campaigns.files import named
from cvm.campaigns.formats import FORMATS, layout_columns
from cvm.campaigns.policy import contact_policy
from cvm.engines import fill, sql_file

if TYPE_CHECKING:
    import pyarrow as pa

    from cvm.workspace import Workspace

__all__ = ["ExportResult", "export_campaign", "manifest_path"]


@dataclass
class ExportResult:
    """The file written, its rows per arm, and the treated left out at export by reason."""

    campaign_id: str
    path: Path
    rows: int
    arms: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    contacts_recorded: int = 0
    format: str = "mailchimp"
    manifest: Path | None = None


def manifest_path(path: Path) -> Path:
    """The manifest beside an export file: ``spring.csv`` -> ``spring.csv.manifest.json``."""
    return path.with_name(path.name + ".manifest.json")


def _default_format(channel: str) -> str:
    return "mailchimp" if channel in ("email", "sms") else "csv"


def export_campaign(
    ws: Workspace,
    campaign_id: str,
    path: str | Path | None = None,
    *,
    contacted_at: datetime | None = None,
    format: str | None = None,
) -> ExportResult:
    """Write the target list and its manifest; record one contact per exported customer.

    Parameters
    ----------
    path : the file (default ``<workspace>/exports/<campaign>_<channel>.csv`` for Mailchimp,
        ``<campaign>_<channel>_<format>.<csv|parquet>`` for the others).
    contacted_at : when the channel sends (default: the campaign's start); response windows of
        the treated start here.
    format : ``mailchimp`` (default for e-mail and SMS), ``klaviyo``, ``marketo``, ``pardot``,
        ``csv`` (default for push and mail) or ``parquet``.

    Exporting again rewrites the file and records contacts only for customers not yet
    contacted in this campaign; the campaign becomes ``running``.
    """
    c = get_campaign(ws, campaign_id)
    if c.status not in ("built", "running"):
        raise DataError(f"campaign {campaign_id!r} is {c.status}: build it before exporting")
    fmt = format or _default_format(c.channel)
    columns = layout_columns(fmt, c.channel)
    ext = FORMATS[fmt].extension
    name = (
        f"{campaign_id}_{c.channel}.csv"
        if fmt == "mailchimp"
        else f"{campaign_id}_{c.channel}_{fmt}.{ext}"
    )
    out = Path(path) if path else ws.path / "exports" / name
    when = contacted_at or c.starts
    engine = ws.engine
    key = {"campaign_id": campaign_id}
    with engine.transaction():
        engine.run(sql_file(__package__, "export_treated.sql"), key)
        # consent, addresses and suppressions only: the build applied the contact history
        # before randomizing; applying it again to the treated alone would unbalance the arms
        contact_policy(ws, "campaign_treated", [c.channel], when, history=False)
        engine.run(sql_file(__package__, "export.sql"), key)
        excluded = dict(engine.rows(sql_file(__package__, "export_excluded.sql")))
        rows = _layout_query(columns)
        uses_id = any(p.name == "campaign" for p in rows.find_all(exp.Placeholder))
        table = engine.arrow(rows, {"campaign": campaign_id} if uses_id else None)
        arms = dict(engine.rows(sql_file(__package__, "export_arms.sql")))
        before = _contacts(ws, campaign_id)
        engine.run(
            sql_file(__package__, "export_contacts.sql"),
            {**key, "channel": c.channel, "contacted_at": when},
        )
        recorded = _contacts(ws, campaign_id) - before
        engine.script(sql_file(__package__, "export_exclusions.sql"), key)
        engine.script(sql_file(__package__, "export_drop.sql"))
        set_status(ws, campaign_id, "running")
        manifest = write_export(table, out, ext)
        _write_manifest(manifest, out, campaign_id, fmt, c.channel, table, arms, excluded)
    return ExportResult(
        campaign_id, out, table.num_rows, arms, excluded, recorded, fmt, manifest_path(out)
    )


def _layout_query(columns: list[tuple[str, str]]) -> exp.Expression:
    """The target list's query: each layout source under its tool's header."""
    tree = sql_file(__package__, "export_sources.sql").tree()
    sources = {item.alias: item.this for item in tree.expressions}
    select = [named(sources[name].copy(), header) for name, header in columns]
    return fill(sql_file(__package__, "export_rows.sql"), columns=select)


def write_export(table: pa.Table, out: Path, ext: str) -> Path:
    """Write ``table`` as CSV or Parquet through a temporary file and a rename, so a reader
    never sees half a file; returns the manifest path."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    if ext == "parquet":
        pq.write_table(table, tmp)
    else:
        pacsv.write_csv(table, tmp, pacsv.WriteOptions(quoting_style="needed"))
    os.replace(tmp, out)
    return manifest_path(out)


def _write_manifest(
    manifest: Path,
    out: Path,
    campaign_id: str,
    fmt: str,
    channel: str,
    table: pa.Table,
    arms: dict[str, int],
    excluded: dict[str, int],
) -> None:
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    record = {
        "campaign_id": campaign_id,
        "format": fmt,
        "channel": channel,
        "file": out.name,
        "rows": table.num_rows,
        "columns": table.column_names,
        "arms": {str(k): int(v) for k, v in arms.items()},
        "excluded": {str(k): int(v) for k, v in excluded.items()},
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sha256": digest,
    }
    tmp = manifest.with_name(f".{manifest.name}.tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, manifest)


def _contacts(ws: Workspace, campaign_id: str) -> int:
    count = ws.engine.scalar(
        sql_file(__package__, "contacts_count.sql"), {"campaign_id": campaign_id}
    )
    return int(count)
