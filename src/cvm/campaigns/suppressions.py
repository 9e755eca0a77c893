"""Suppression lists: people who must not be contacted, on one channel or on all.

A list names people however the sender knows them: customer ids, e-mail addresses (as typed, or
already hashed as ad platforms take them: SHA-256 of the trimmed lower-case address), phone
numbers, CRM ids, shop customer numbers. E-mails and phones are kept only as their SHA-256, and
every identifier is matched at contact time against customers and the identities table, so an
address suppressed today is never exported, even for a customer loaded tomorrow.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cvm._exceptions import DataError
from cvm.campaigns.design import CHANNELS
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = [
    "SuppressionResult",
    "add_suppressions",
    "identifier_kind",
    "read_suppression_file",
    "suppress_identifiers",
]

KINDS = ("email", "email_sha256", "phone", "id")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_EMAIL_COLUMNS = ("email", "emailaddress", "e-mail", "mail", "subscriberemail")
_HASH_COLUMNS = ("emailsha256", "sha256", "hashedemail", "emailhash", "hashedmaid")
_PHONE_COLUMNS = ("phone", "phonenumber", "mobile", "mobilephone", "sms", "msisdn")
_ID_COLUMNS = (
    "customerid", "id", "recordid", "contactid", "crmid", "userid", "externalid", "customer",
    "client", "clientid", "contact", "user", "customernumber", "customerno",
)  # fmt: skip


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


def identifier_kind(value: str, column_kind: str | None = None) -> str:
    """The kind of one identifier: a 64-hex-digit value is a hashed e-mail, a value with ``@``
    an e-mail; otherwise the column's kind (phone or id), else an id."""
    v = value.strip()
    if _HEX64.match(v.lower()):
        return "email_sha256"
    if "@" in v:
        return "email"
    return column_kind if column_kind in ("phone", "id") else "id"


def _stored(kind: str, value: str) -> tuple[str, str]:
    """(kind, value) as stored: e-mails and phones as SHA-256 of their normalised form."""
    v = value.strip()
    if kind == "email":
        return "email", hashlib.sha256(v.lower().encode()).hexdigest()
    if kind == "email_sha256":
        return "email", v.lower()
    if kind == "phone":
        digits = re.sub(r"[^0-9]", "", v)
        if not digits:
            raise DataError(f"phone {value!r} has no digits")
        return "phone", hashlib.sha256(digits.encode()).hexdigest()
    return "id", v


def read_suppression_file(path: str | Path) -> list[tuple[str, str]]:
    """(kind, value) pairs from a CSV: every column named like an e-mail, hashed e-mail, phone
    or id column is read (a file with one unnamed column is read value by value).

    Raises
    ------
    DataError
        The file is missing or empty, or no column is recognised.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: no such file")
    frame = pd.read_csv(p, dtype=str, keep_default_na=False)
    columns: list[tuple[str, str | None]] = []
    for col in frame.columns:
        k = _key(str(col))
        if k in _HASH_COLUMNS or k in _EMAIL_COLUMNS:
            columns.append((col, "email"))
        elif k in _PHONE_COLUMNS:
            columns.append((col, "phone"))
        elif k in _ID_COLUMNS:
            columns.append((col, "id"))
    if not columns and len(frame.columns) == 1:
        # a bare list: the header line is itself a value unless it names the column
        only = str(frame.columns[0])
        frame = pd.read_csv(p, dtype=str, keep_default_na=False, header=None, names=[only])
        columns = [(only, None)]
    if not columns:
        found = ", ".join(map(str, frame.columns))
        raise DataError(
            f"{p}: no e-mail, phone or id column (found {found}); name one email, phone,"
            " email_sha256 or customer_id"
        )
    out: list[tuple[str, str]] = []
    for col, kind in columns:
        for value in frame[col]:
            if value.strip():
                out.append((identifier_kind(value, kind), value.strip()))
    return out


@dataclass
class SuppressionResult:
    """Identifiers added (new ones only), per kind, and customers they match today."""

    added: int
    by_kind: dict[str, int] = field(default_factory=dict)
    customers_matched: int = 0


def suppress_identifiers(
    ws: Workspace,
    identifiers: Iterable[tuple[str, str]],
    *,
    channel: str | None = None,
    reason: str = "suppressed",
) -> SuppressionResult:
    """Suppress people by ``(kind, value)``: kind ``email``, ``email_sha256``, ``phone`` or
    ``id`` (a customer id or any source id: CRM id, shop customer number).

    Identifiers already suppressed on the same channel are not added twice.
    """
    if channel is not None and channel not in CHANNELS:
        raise DataError(f"channel {channel!r}: use one of {', '.join(CHANNELS)} or none")
    rows: list[tuple[str, str]] = []
    for kind, value in identifiers:
        if kind not in KINDS:
            raise DataError(f"identifier kind {kind!r}: use one of {', '.join(KINDS)}")
        if kind == "email_sha256" and not _HEX64.match(value.strip().lower()):
            raise DataError(f"{value!r} is not a SHA-256 hex digest")
        rows.append(_stored(kind, value))
    if not rows:
        return SuppressionResult(0)
    new = pd.DataFrame(rows, columns=["kind", "value"], dtype="string").drop_duplicates()
    engine = ws.engine
    where = {"channel": channel}
    with engine.register("new_identifiers", new):
        try:
            added = engine.rows(sql_file(__package__, "identifiers_new.sql"), where)
            engine.run(sql_file(__package__, "identifiers_insert.sql"), {**where, "reason": reason})
            engine.run(sql_file(__package__, "suppressed.sql"))
            matched = engine.scalar(sql_file(__package__, "suppressed_matched.sql"), where)
        finally:
            engine.run(sql_file(__package__, "suppressed_drop.sql"))
    by_kind = Counter({str(k): int(n) for k, n in added})
    return SuppressionResult(sum(by_kind.values()), dict(by_kind), int(matched))


def add_suppressions(
    ws: Workspace,
    customer_ids: Iterable[str],
    *,
    channel: str | None = None,
    reason: str = "suppressed",
) -> int:
    """Suppress customers on ``channel`` (None: every channel); returns the rows added.

    Customers already suppressed on the same channel are not added twice.
    """
    if channel is not None and channel not in CHANNELS:
        raise DataError(f"channel {channel!r}: use one of {', '.join(CHANNELS)} or none")
    ids = pd.DataFrame({"customer_id": pd.Series(list(customer_ids), dtype="string")})
    if ids.empty:
        return 0
    engine = ws.engine
    count = sql_file(__package__, "suppressions_count.sql")
    before = int(engine.scalar(count))
    with engine.register("new_suppressions", ids):
        engine.run(
            sql_file(__package__, "suppressions_insert.sql"),
            {"channel": channel, "reason": reason},
        )
    return int(engine.scalar(count)) - before
