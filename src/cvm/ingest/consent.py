"""Consent from a vendor's own columns: opt-ins read as they are, opt-outs inverted.

A CRM export does not say "consent_email = yes". Salesforce says ``HasOptedOutOfEmail = true``,
HubSpot ``Marketing contact status = Non-marketing contact`` and ``Unsubscribed from all email =
true``, Dynamics 365 ``Do not allow Bulk Emails = Do Not Allow``. Each vendor profile lists, per
channel, the columns that speak to consent (signals) and the values each one writes.

A channel is contactable only when at least one of its signals is in the file and every signal
found permits it. A value a signal does not know (a typo, a new picklist value) means no consent
for that row and is counted; a signal missing from the file is reported. Never the other way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlglot.expressions as exp

from cvm.engines import Engine, fill, sql_file
from cvm.ingest.profiles import normalise
from cvm.ingest.staging import Source, alias, column

__all__ = ["CONSENT_RULES", "ConsentReport", "Signal", "apply_consent_rules"]

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


@dataclass(frozen=True)
class Signal:
    """One column that speaks to consent on a channel, and how its values read.

    ``permits``/``forbids`` are lower-cased values; ``empty_permits`` says whether an empty cell
    allows contact (HubSpot leaves "Unsubscribed from all email" empty for the subscribed).
    """

    label: str
    columns: tuple[str, ...]
    permits: tuple[str, ...]
    forbids: tuple[str, ...]
    empty_permits: bool = False


def opt_out(label: str, *columns: str, empty_permits: bool = False) -> Signal:
    """A "has opted out" checkbox: false permits, true forbids."""
    return Signal(label, (label, *columns), _FALSE, _TRUE, empty_permits)


def do_not_allow(label: str, *columns: str) -> Signal:
    """A Dynamics 365 contact preference: Allow / Do Not Allow (the field itself is
    ``donot*``: a true value forbids)."""
    return Signal(label, (label, *columns), ("allow", *_FALSE), ("do not allow", *_TRUE))


_SF_EMAIL = opt_out("HasOptedOutOfEmail", "Email Opt Out")
_SF_CALL = opt_out("DoNotCall", "Do Not Call")
_HS_MARKETING = Signal(
    "Marketing contact status",
    ("Marketing contact status",),
    ("marketing contact", "marketing", *_TRUE),
    ("non-marketing contact", "non-marketing", *_FALSE),
)
_HS_UNSUBSCRIBED = opt_out("Unsubscribed from all email", empty_permits=True)
_DY_EMAIL = do_not_allow("Do not allow Emails", "donotemail")
_DY_BULK = do_not_allow("Do not allow Bulk Emails", "donotbulkemail")
_DY_PHONE = do_not_allow("Do not allow Phone Calls", "donotphone")
_DY_MAIL = do_not_allow("Do not allow Mails", "donotpostalmail")

CONSENT_RULES: dict[str, dict[str, tuple[Signal, ...]]] = {
    "salesforce-contacts": {"email": (_SF_EMAIL,), "sms": (_SF_CALL,)},
    "hubspot-contacts": {"email": (_HS_MARKETING, _HS_UNSUBSCRIBED)},
    "dynamics-contacts": {
        "email": (_DY_EMAIL, _DY_BULK),
        "sms": (_DY_PHONE,),
        "mail": (_DY_MAIL,),
    },
    "crm": {  # any of the three CRMs: the signals found in the file decide
        "email": (_SF_EMAIL, _HS_MARKETING, _HS_UNSUBSCRIBED, _DY_EMAIL, _DY_BULK),
        "sms": (_SF_CALL, _DY_PHONE),
        "mail": (_DY_MAIL,),
    },
}
"""Per profile, per channel (email, sms, push, mail), the signals that decide consent.

A channel a profile does not list is never contactable from that export (Salesforce has no
postal-mail opt-out, so ``consent_mail`` stays false). The SMS channel follows the phone-call
preference (DoNotCall, Do not allow Phone Calls): a number that may not be called is not texted.
"""


@dataclass
class ConsentReport:
    """What the profile could not read: signals absent from the file and unreadable values."""

    missing: list[str] = field(default_factory=list)  # "email: Unsubscribed from all email"
    unreadable: dict[str, int] = field(default_factory=dict)  # column -> rows

    def notes(self) -> list[str]:
        """One line per problem, for the load result."""
        out = [f"consent column not in file: {m} (no consent from it)" for m in self.missing]
        out += [
            f"unreadable consent value in {col!r} on {n:,} rows: read as no consent"
            for col, n in self.unreadable.items()
        ]
        return out


def _find(header: Sequence[str], signal: Signal) -> str | None:
    by_key = {normalise(c): c for c in reversed(header)}
    for name in signal.columns:
        if normalise(name) in by_key:
            return by_key[normalise(name)]
    return None


def _contains(param: str, value: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="list_contains", expressions=[exp.Placeholder(this=param), value])


def _empty(value: exp.Expression) -> exp.Expression:
    return exp.EQ(this=value.copy(), expression=exp.Literal.string(""))


def apply_consent_rules(
    engine: Engine,
    profile: str,
    source: Source,
    header: Sequence[str],
    overrides: Mapping[str, str],
) -> tuple[Source, dict[str, str], ConsentReport]:
    """Add one derived ``true``/``false`` column per channel of ``profile`` to ``source``.

    Returns the wrapped source, canonical consent column -> derived column (channels the user
    mapped explicitly with ``--map`` are left to that mapping), and what could not be read.
    """
    rules = CONSENT_RULES.get(profile, {})
    report = ConsentReport()
    params: dict[str, object] = dict(source.params)
    forbids: dict[str, object] = {}  # only the count of unreadable values reads these
    items: list[exp.Expression] = []
    mapping: dict[str, str] = {}
    checks: list[tuple[str, exp.Expr, list[str]]] = []  # column, unreadable, params
    for channel, signals in rules.items():
        canonical = f"consent_{channel}"
        if canonical in overrides:
            continue
        allowed: list[exp.Expression] = []
        for signal in signals:
            col = _find(header, signal)
            if col is None:
                if not any(_find(header, s) for s in signals):
                    report.missing.append(f"{channel}: {signal.label}")
                continue
            n = len(checks)
            ok, no = f"_cvm_ok{n}", f"_cvm_no{n}"
            params[ok] = list(signal.permits)
            forbids[no] = list(signal.forbids)
            value = exp.Lower(this=exp.Trim(this=exp.cast(column(col), "VARCHAR")))
            blank = exp.or_(exp.Is(this=value.copy(), expression=exp.null()), _empty(value))
            reads = exp.Coalesce(this=_contains(ok, value.copy()), expressions=[exp.false()])
            empty = exp.true() if signal.empty_permits else exp.false()
            allowed.append(exp.case().when(blank, empty).else_(reads))
            unreadable = exp.and_(
                exp.NEQ(this=value.copy(), expression=exp.Literal.string("")),
                exp.not_(_contains(ok, value.copy())),
                exp.not_(_contains(no, value.copy())),
            )
            checks.append((col, unreadable, [ok, no]))
        derived = f"_cvm_consent_{channel}"
        expr = exp.and_(*allowed) if allowed else exp.false()
        flag = exp.case().when(expr, exp.Literal.string("true")).else_(exp.Literal.string("false"))
        items.append(alias(flag, exp.to_identifier(derived, quoted=True)))
        mapping[canonical] = derived
    if not items:
        return source, mapping, report
    known = {**params, **forbids}
    counted: set[str] = set()
    for col, bad, names in checks:  # one count per column, even if two channels read it
        if col in counted:
            continue
        counted.add(col)
        query = fill(
            sql_file(__package__, "consent_unreadable.sql"),
            source=source.relation,
            unreadable=exp.Paren(this=bad),
        )
        used = {**source.params, **{k: known[k] for k in names}}
        found = engine.scalar(query, used)
        if found:
            report.unreadable[col] = int(found)
    query = fill(
        sql_file(__package__, "consent_source.sql"),
        source=source.relation,
        derived=items,
    )
    relation = exp.Subquery(
        this=query, alias=exp.TableAlias(this=exp.to_identifier("_cvm_consent_src"))
    )
    columns = {**source.columns, **{d: "VARCHAR" for d in mapping.values()}}
    wrapped = Source(relation, params, columns, source.seq, source.line, source.raw)
    return wrapped, mapping, report
