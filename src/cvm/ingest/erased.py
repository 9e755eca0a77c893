"""Refusal of erased customers at ingest: a row that carries an identifier of a customer who was
erased (customer id, e-mail, phone, anonymous or CRM id; an order id for order lines) is not
loaded, so re-importing the same CRM export does not bring the customer back.

Erasure (``cvm.privacy``) keeps only keyed hashes of those identifiers (HMAC-SHA256 under the
workspace's erasure key, see ``cvm.workspace.secret``). Each load hashes the distinct values of
its identifier columns in SQL and joins them to ``erased_identifiers``: set-based, and free
when nothing was ever erased. Refused rows are counted in ``LoadResult.erased`` and are not
written anywhere, not even to ``rejected_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlglot.expressions as exp

from cvm._exceptions import IngestError
from cvm.engines import Engine, fill, sql_file
from cvm.ingest.kinds import source_kind
from cvm.workspace.secret import KEY_NAME, erasure_key, hmac_pads

KEY_TABLE = "_cvm_erasure_key"


@dataclass(frozen=True)
class Check:
    """What a working table's rows are checked on: each row's identifier values as a list.

    ``columns`` are typed identifier columns; ``tokens`` are columns of raw text scanned for
    anything shaped like an e-mail or a phone number; ``fields`` a raw text whose every field
    is a candidate (a refused row has no typed columns).
    """

    key: str
    columns: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()
    fields: str | None = None
    unstored_orders: bool = False  # a line of a stored order belongs to a live customer
    kind: str = "person"

    def values(self) -> exp.Expression:
        """The SQL list of a row's identifier values."""
        items: list[exp.Expression] = []
        for name in self.columns:
            col: exp.Expression = exp.column(name)
            if self.unstored_orders:
                stored = exp.select("transaction_id").from_("transactions")
                col = exp.case().when(col.isin(query=stored), exp.null()).else_(col.copy())
            items.append(col)
        parts: list[exp.Expression] = [exp.Array(expressions=items)] if items else []
        parts += [
            exp.Anonymous(this="_cvm_id_tokens", expressions=[exp.cast(exp.column(t), "VARCHAR")])
            for t in self.tokens
        ]
        if self.fields:
            parts.append(
                exp.Anonymous(this="_cvm_id_fields", expressions=[exp.column(self.fields)])
            )
        expr = parts[0]
        for part in parts[1:]:
            expr = exp.DPipe(this=expr, expression=part)
        return expr


def _rows(kind: str) -> str:
    return source_kind(kind).work("rows")


CHECKS: dict[str, Check] = {
    _rows("transactions"): Check("_seq", ("customer_id",)),
    _rows("order_items"): Check("_seq", ("transaction_id",), unstored_orders=True, kind="order"),
    _rows("customers"): Check(
        "_seq", ("customer_id", "email", "phone"), tokens=("_raw", "attributes")
    ),
    _rows("subscriptions"): Check("_seq", ("customer_id",)),
    _rows("surveys"): Check("_seq", ("customer_id", "respondent_id")),
    "_ev_rows": Check("line", ("user_id", "anonymous_id", "previous_id", "email"), ("raw",)),
    "_cvm_rejects": Check("rowid", fields="_raw"),
    "import_rows": Check("rowid", ("customer_id",)),  # a run read back (cvm runs import)
    "import_members": Check("rowid", ("customer_id",)),  # and a segments run's members
}
"""What each loader's rows are checked on. Each distinct value is hashed once, so orders are
matched by their customer's ids, not by their own (one hash per order). Refused rows
(``_cvm_rejects``) are matched on every field of their raw text, since a row that could not be
read has no typed columns."""


def database_folder(engine: Engine) -> Path | None:
    """The folder of the engine's database file (the workspace), None in memory."""
    path = engine.scalar(sql_file(__package__, "database_path.sql"))
    return Path(str(path)).resolve().parent if path else None


def _has_table(engine: Engine, name: str) -> bool:
    return bool(engine.scalar(sql_file(__package__, "has_table.sql"), {"name": name}))


def install(engine: Engine, *, create_key: bool = False) -> bool:
    """Make the hash macros and the workspace key available to this engine's SQL.

    Returns whether any identifier is erased (when not, loads skip the check). Log rows from
    before the log was keyed are re-keyed here, inside the caller's transaction.

    Raises
    ------
    IngestError
        Customers were erased but the key file is missing: without it they cannot be
        recognised, and loading on would bring them back.
    """
    engine.run(sql_file(__package__, "erased_macros.sql"))
    engine.run(sql_file(__package__, "erased_key_create.sql"))
    if not _has_table(engine, "erased_identifiers"):
        return False  # a connection that is not a workspace's
    row = engine.one(sql_file(__package__, "erased_counts.sql"))
    erased, legacy = (int(row[0]), int(row[1])) if row else (0, 0)
    if not (erased or legacy or create_key):
        return False
    folder = database_folder(engine)
    key = erasure_key(folder, create=create_key or bool(legacy)) if folder else None
    if key is None:
        where = folder / KEY_NAME if folder else KEY_NAME
        raise IngestError(
            f"{where} is missing but this workspace has erased customers: restore the key from"
            " the workspace's backup (without it they cannot be recognised, and loading"
            " would bring them back)"
        )
    ipad, opad = hmac_pads(key)
    engine.run(sql_file(__package__, "erased_key_insert.sql"), {"ipad": ipad, "opad": opad})
    if legacy:
        engine.run(sql_file(__package__, "erased_rekey.sql"))
    return True


def uninstall(engine: Engine) -> None:
    """Drop the key's pads from the engine once the work that needed them is done."""
    engine.run(fill(sql_file(__package__, "drop_table.sql"), table=KEY_TABLE))


def _refuse(engine: Engine, table: str, check: Check) -> None:
    """``_cvm_erased_rows(k)``: keys of the rows of ``table`` that carry an erased id."""
    query = fill(
        sql_file(__package__, "erased_refuse.sql"),
        rows=table,
        key=exp.column(check.key),
        values=check.values(),
    )
    engine.run(query, {"kind": check.kind})


def refuse_rows(engine: Engine, table: str) -> int:
    """Delete the rows of working table ``table`` that carry an erased identifier; their count.

    ``table`` is one of ``CHECKS``. Needs ``install`` on this engine (a load's ``prepare``
    does it); without erased identifiers it costs one query.
    """
    if not _key_installed(engine):
        return 0
    check = CHECKS[table]
    _refuse(engine, table, check)
    delete = fill(sql_file(__package__, "erased_delete.sql"), rows=table, key=exp.column(check.key))
    refused = len(engine.rows(delete))
    engine.run(fill(sql_file(__package__, "drop_table.sql"), table="_cvm_erased_rows"))
    return refused


def _key_installed(engine: Engine) -> bool:
    try:
        count = engine.scalar(fill(sql_file(__package__, "count_rows.sql"), table=KEY_TABLE))
    except engine.missing_object:
        if _has_table(engine, "erased_identifiers") and _any_erased(engine):
            raise IngestError(
                "customers were erased but this load did not look for them: call"
                " cvm.ingest.erased.install(engine) first"
            ) from None
        return False
    return bool(count)


def _any_erased(engine: Engine) -> bool:
    count = engine.scalar(fill(sql_file(__package__, "count_rows.sql"), table="erased_identifiers"))
    return bool(count)


def remember(engine: Engine) -> int:
    """Store the keyed hashes of ``_pv_identifiers(value, kind, is_phone)``; how many are new."""
    count = fill(sql_file(__package__, "count_rows.sql"), table="erased_identifiers")
    before = int(engine.scalar(count) or 0)
    engine.run(sql_file(__package__, "erased_remember.sql"))
    return int(engine.scalar(count) or 0) - before


def keyed(engine: Engine, value: str) -> str:
    """HMAC-SHA256 of ``value`` under the installed key (hex)."""
    row = engine.one(sql_file(__package__, "erased_keyed.sql"), {"value": value})
    if not row:
        raise IngestError("no erasure key installed on this connection")
    return str(row[0])


def is_erased(engine: Engine, value: str) -> bool:
    """Whether ``value`` (any form) is an identifier of an erased customer."""
    if not _key_installed(engine):
        return False
    engine.run(sql_file(__package__, "erased_probe.sql"), {"value": value})
    _refuse(engine, "_cvm_erased_probe", Check("v", ("v",)))
    found = engine.scalar(fill(sql_file(__package__, "count_rows.sql"), table="_cvm_erased_rows"))
    for name in ("_cvm_erased_probe", "_cvm_erased_rows"):
        engine.run(fill(sql_file(__package__, "drop_table.sql"), table=name))
    return bool(found)
