"""Export a campaign's target list for its channel and record each contact.

Only treated customers who still pass the contact policy at export time are written; the
controls are never selected. Columns follow what the channel tools import: Mailchimp's
``Email Address, First Name, Last Name, Tags`` for e-mail, ``Phone Number, ...`` for SMS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cvm._exceptions import DataError
from cvm._sql import load_sql
from cvm.campaigns.design import get_campaign, set_status
from cvm.campaigns.policy import contact_policy

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["ExportResult", "export_campaign"]

_COLUMNS = {
    "email": ("Email Address", "email"),
    "sms": ("Phone Number", "phone"),
    "push": ("Customer ID", "customer_id"),
    "mail": ("Customer ID", "customer_id"),
}


@dataclass
class ExportResult:
    """The file written, its rows per arm, and the treated left out at export by reason."""

    campaign_id: str
    path: Path
    rows: int
    arms: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    contacts_recorded: int = 0


def export_campaign(
    ws: Workspace,
    campaign_id: str,
    path: str | Path | None = None,
    *,
    contacted_at: datetime | None = None,
) -> ExportResult:
    """Write the target list as CSV and record one contact per exported customer.

    Parameters
    ----------
    path : the CSV file (default ``<workspace>/exports/<campaign>_<channel>.csv``).
    contacted_at : when the channel sends (default: the campaign's start); response windows of
        the treated start here.

    Exporting again rewrites the file and records contacts only for customers not yet
    contacted in this campaign; the campaign becomes ``running``.
    """
    import pyarrow.csv as pacsv

    from cvm.workspace import transaction

    c = get_campaign(ws, campaign_id)
    if c.status not in ("built", "running"):
        raise DataError(f"campaign {campaign_id!r} is {c.status}: build it before exporting")
    header, column = _COLUMNS[c.channel]
    out = Path(path) if path else ws.path / "exports" / f"{campaign_id}_{c.channel}.csv"
    when = contacted_at or c.starts
    con = ws.con
    with transaction(con):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE campaign_treated AS SELECT customer_id"
            " FROM assignments WHERE campaign_id = ? AND arm <> 'control'",
            [campaign_id],
        )
        # consent, addresses and suppressions only: the build applied the contact history
        # before randomizing; applying it again to the treated alone would unbalance the arms
        contact_policy(ws, "campaign_treated", [c.channel], when, history=False)
        con.execute(load_sql("cvm.campaigns", "export.sql"), [campaign_id])
        excluded = dict(
            con.execute(
                "SELECT reason, count(*) FROM campaign_export WHERE reason IS NOT NULL"
                " GROUP BY reason ORDER BY 2 DESC"
            ).fetchall()
        )
        table = con.sql(
            f'SELECT {column} AS "{header}", coalesce(first_name, \'\') AS "First Name",'
            " coalesce(last_name, '') AS \"Last Name\", ? || ',' || arm AS \"Tags\""
            " FROM campaign_export WHERE reason IS NULL ORDER BY arm, customer_id",
            params=[campaign_id],
        ).to_arrow_table()
        arms = dict(
            con.execute(
                "SELECT arm, count(*) FROM campaign_export WHERE reason IS NULL GROUP BY arm"
            ).fetchall()
        )
        before = _contacts(ws, campaign_id)
        con.execute(
            "INSERT INTO contacts (campaign_id, customer_id, channel, ts)"
            " SELECT ?, e.customer_id, ?, ? FROM campaign_export e"
            " WHERE e.reason IS NULL AND NOT EXISTS (SELECT 1 FROM contacts k"
            "   WHERE k.campaign_id = ? AND k.customer_id = e.customer_id)",
            [campaign_id, c.channel, when, campaign_id],
        )
        recorded = _contacts(ws, campaign_id) - before
        con.execute(
            "DELETE FROM campaign_exclusions WHERE campaign_id = ? AND stage = 'export'",
            [campaign_id],
        )
        con.execute(
            "INSERT INTO campaign_exclusions SELECT ?, customer_id, 'export', reason"
            " FROM campaign_export WHERE reason IS NOT NULL",
            [campaign_id],
        )
        con.execute("DROP TABLE IF EXISTS campaign_export")
        con.execute("DROP TABLE IF EXISTS contact_policy")
        con.execute("DROP TABLE IF EXISTS campaign_treated")
        set_status(ws, campaign_id, "running")
        out.parent.mkdir(parents=True, exist_ok=True)
        pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="needed"))
    return ExportResult(campaign_id, out, table.num_rows, arms, excluded, recorded)


def _contacts(ws: Workspace, campaign_id: str) -> int:
    rows = ws.con.execute(
        "SELECT count(*) FROM contacts WHERE campaign_id = ?", [campaign_id]
    ).fetchall()
    return int(rows[0][0])
