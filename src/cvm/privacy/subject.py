"""Whom a privacy request is about: any identifier (customer id, merged-away id, e-mail, phone,
anonymous or CRM id) leads to one customer, and from it to every identifier and order of theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from cvm._exceptions import CvmError, DataError
from cvm.engines import Engine, fill, sql_file
from cvm.ingest import erased
from cvm.ingest.identity import customer_tables

_NAME = re.compile(r"^--\s*name:\s*([a-z_]+)\s*$", re.MULTILINE)
_PHONE = re.compile(r"\+?[0-9][0-9 ().\-/]{4,}[0-9]")
_EDGE = "0-9A-Za-z_@+\\-"
_SEPARATORS = r"[\s().\-/]*"


@cache
def queries(name: str) -> dict[str, str]:
    """The statements of ``cvm/privacy/<name>``, keyed by their ``-- name: x`` header."""
    parts = _NAME.split(sql_file(__package__, name).text)
    return {key: body.strip() for key, body in zip(parts[1::2], parts[2::2], strict=True)}


def _run(engine: Engine, query: str, **params: object) -> None:
    sql = queries("subject.sql")[query]
    engine.run(sql, {k: v for k, v in params.items() if f"${k}" in sql} or None)


def phone_digits(value: str) -> str | None:
    """The digits of a value written like a phone number, else None.

    >>> phone_digits("+44 (0)20 7946-0958")
    '4402079460958'
    >>> phone_digits("ann@example.com") is None
    True
    """
    return re.sub(r"\D", "", value) if _PHONE.fullmatch(value.strip()) else None


def find_customer(engine: Engine, identifier: str) -> str:
    """The customer id behind any identifier of a person.

    A customer id found in any table is taken as it is (a merged-away one leads to its
    survivor); otherwise the identifier is looked up among merges, the identity graph, the
    e-mails and phones on file, and the ids events carry.

    Raises
    ------
    DataError
        No customer has this identifier ("unknown customer", saying when it was erased before),
        or it names several customers (the message lists them: ask again by customer id).
    """
    ident = identifier.strip()
    if not ident:
        raise DataError("unknown customer '': give a customer id, e-mail, phone or other id")
    merged = engine.one(sql_file(__package__, "merged_into.sql"), {"id": ident})
    if merged:
        return str(merged[0])
    for table in ["customers", *customer_tables(engine)]:
        hit = engine.one(
            fill(sql_file(__package__, "customer_row.sql"), table=table), {"id": ident}
        )
        if hit:
            return ident
    sql = queries("subject.sql")["candidates"]
    found = [
        str(r[0])
        for r in engine.rows(
            sql, {"id": ident, "lower": ident.lower(), "digits": phone_digits(ident)}
        )
    ]
    if len(found) == 1:
        return found[0]
    if found:
        raise DataError(
            f"{identifier!r} names {len(found)} customers ({', '.join(found[:5])}):"
            " ask again with one customer id"
        )
    if _erased_before(engine, ident):
        raise DataError(f"unknown customer {identifier!r}: that identifier was erased before")
    raise DataError(f"unknown customer {identifier!r}: no row in any table")


def _erased_before(engine: Engine, ident: str) -> bool:
    try:
        erased.install(engine)
        return erased.is_erased(engine, ident)
    except (CvmError, engine.error):  # no key to tell: the plain "unknown" answer holds
        return False
    finally:
        erased.uninstall(engine)


@dataclass
class Subject:
    """The customer of a request and what identifies them, for matching text."""

    customer_id: str
    ids: list[str] = field(default_factory=list)  # every person identifier, as stored
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)

    def _alternatives(self, *, ids: bool) -> list[str]:
        alts = [f"(?i:{re.escape(e)})" for e in sorted(set(self.emails))]
        for phone in sorted(set(self.phones)):
            digits = re.sub(r"\D", "", phone)
            if len(digits) >= 6:
                alts.append(r"\+?" + _SEPARATORS.join(digits))
        if ids:
            alts += [re.escape(i) for i in sorted(set(self.ids), key=len, reverse=True)]
        return alts

    def quoting(self, *, ids: bool = True) -> str | None:
        """A regular expression (RE2 and Python) for the identifiers written as whole words in
        text: e-mails in any case, phones however spaced, ids as written; group 2 is the match.
        None when there is nothing to look for.

        >>> who = Subject("007", ids=["007", "ann@example.com"], emails=["ann@example.com"])
        >>> re.search(who.quoting(), "from ANN@example.com, re 007").group(2)
        'ANN@example.com'
        >>> re.search(who.quoting(), "order 10070") is None
        True
        """
        alts = self._alternatives(ids=ids)
        if not alts:
            return None
        return f"(^|[^{_EDGE}.])({'|'.join(alts)})($|[^{_EDGE}])"

    def orders_quoting(self) -> str | None:
        """The same for the customer's order ids (in refused order and order-line rows)."""
        if not self.orders:
            return None
        alts = "|".join(re.escape(o) for o in sorted(set(self.orders), key=len, reverse=True))
        return f"(^|[^{_EDGE}.])({alts})($|[^{_EDGE}])"

    def json_ids(self) -> str | None:
        """A regular expression for a JSON string that is exactly one of the ids."""
        if not self.ids:
            return None
        alts = "|".join(re.escape(i) for i in sorted(set(self.ids), key=len, reverse=True))
        return f'"(?:{alts})"'


def collect(engine: Engine, customer_id: str) -> Subject:
    """Fill ``_pv_identifiers`` and ``_pv_respondents`` for the customer; return them."""
    _run(engine, "identifiers", cid=customer_id)
    for step in ("identifiers_linked", "identifiers_lower", "orders", "respondents"):
        _run(engine, step)
    rows = engine.rows(sql_file(__package__, "identifiers.sql"))
    subject = Subject(customer_id)
    for value, kind, is_phone in rows:
        text = str(value)
        if kind == "order":
            subject.orders.append(text)
            continue
        subject.ids.append(text)
        if "@" in text:
            subject.emails.append(text)
        if is_phone:
            subject.phones.append(text)
    return subject


def drop(engine: Engine) -> None:
    """Free the request's temporary tables."""
    for name in ("_pv_identifiers", "_pv_respondents"):
        engine.run(fill(sql_file(__package__, "drop_table.sql"), table=name))
