"""Erasure (right to be forgotten): every row about a customer goes, mentions of them in other
rows and in the workspace's derived files are redacted, the database is rebuilt so no byte
remains, and keyed hashes of their identifiers stay so that ingest refuses them from then on.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvm._exceptions import DataError
from cvm.decide.decision_journal import erasing
from cvm.engines import sql_file
from cvm.ingest import erased
from cvm.privacy import subject as _subject
from cvm.privacy.compact import compact_workspace
from cvm.privacy.redact import FileChanges, redact_files, redact_rows
from cvm.privacy.tables import row_filters, rows_statement

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["Erasure", "erase_customer", "erase_customers"]


class Erasure(dict[str, int]):
    """Rows deleted per table (a dict), plus what else the erasure did.

    Attributes
    ----------
    customer_id : the customer erased (the survivor when a merged-away id was given).
    redacted : rows per table in which a mention of the customer was replaced by ``[erased]``.
    files : derived files redacted or removed, and files cvm did not write that still name the
        customer (``files.not_ours``: the user's to delete).
    journal_lines : their real-time decisions removed from the decision journal (answered,
        not yet in the ``decisions`` table).
    identifiers : identifiers whose keyed hash now refuses them at ingest.
    compact_seconds : time the database rebuild took (None when not compacted).
    """

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.redacted: dict[str, int] = {}
        self.files = FileChanges()
        self.journal_lines = 0
        self.identifiers = 0
        self.compact_seconds: float | None = None


def erase_customer(ws: Workspace, identifier: str, *, compact: bool = True) -> Erasure:
    """Forget a customer, given any identifier of theirs; returns what was done.

    One transaction deletes every row about the customer (every table with a customer id,
    their order lines, events under any of their ids, identities, merges, refused input rows
    quoting any identifier, survey answers), redacts their e-mail and phone where other rows
    mention them, redacts the workspace's derived files (campaign exports, reports), stores
    keyed hashes of their identifiers and logs the erasure (a keyed hash of the id, never the
    id). Then the database is compacted (``compact=False`` leaves that to a later
    ``compact_workspace``, e.g. after erasing many customers).

    Raises
    ------
    DataError
        The identifier names no customer ("unknown customer") or several.

    Examples
    --------
    >>> from cvm.demo import example_workspace
    >>> from cvm.privacy import export_customer
    >>> ws = example_workspace()
    >>> done = erase_customer(ws, "ANN@example.com", compact=False)
    >>> done.customer_id, dict(sorted(done.items()))
    ('007', {'customers': 1, 'transactions': 2})
    >>> sorted(export_customer(ws, "008"))
    ['customers', 'transactions']
    >>> export_customer(ws, "007")
    Traceback (most recent call last):
    cvm._exceptions.DataError: unknown customer '007': that identifier was erased before
    >>> ws.close()
    """
    done = erase_customers(ws, [identifier], compact=compact)
    return done[0]


def erase_customers(
    ws: Workspace, identifiers: list[str], *, compact: bool = True
) -> list[Erasure]:
    """Erase several customers, each in its own transaction, with one compaction at the end.

    An identifier that fails (unknown, ambiguous) stops the list with its error, after the
    customers erased before it have been compacted away.
    """
    results: list[Erasure] = []
    try:
        for identifier in identifiers:
            results.append(_erase_one(ws, identifier))
    finally:
        if compact and results:
            seconds = compact_workspace(ws)
            for result in results:
                result.compact_seconds = seconds
    return results


def _erase_one(ws: Workspace, identifier: str) -> Erasure:
    engine = ws.engine
    # no decision of theirs is stored from the journal while their rows go
    with erasing(Path(ws.path)) as journal, engine.transaction():
        erased.install(engine, create_key=True)
        cid = _subject.find_customer(engine, identifier)
        who = _subject.collect(engine, cid)
        result = Erasure(cid)
        params: dict[str, Any] = {
            "quoting": who.quoting(ids=True),
            "orders_quoting": who.orders_quoting(),
        }
        for table, condition in row_filters(engine).items():
            used = {k: v for k, v in params.items() if f"${k}" in condition}
            # table names come from the catalog (identity.customer_tables) or tables.SPECIAL
            gone = engine.rows(rows_statement("delete_rows.sql", table, condition), used or None)
            if gone:
                result[table] = len(gone)
        if not result:
            raise DataError(f"unknown customer {identifier!r}: no row in any table")
        result.redacted = redact_rows(engine, who)
        result.identifiers = erased.remember(engine)
        engine.run(
            sql_file(__package__, "log_erasure.sql"),
            {
                "id_hash": erased.keyed(engine, f"erasure:{cid}"),
                "rows_deleted": sum(result.values()),
            },
        )
        result.journal_lines = journal.erase(who.ids, who.quoting(ids=True))
        result.files = redact_files(Path(ws.path), who)
        _subject.drop(engine)
        erased.uninstall(engine)
    return result
