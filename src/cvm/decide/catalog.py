"""The offer catalog: what can be offered, to whom, through which channel, at what cost.

Offers live in ``cvm.toml`` as ``[[offers]]`` tables or in their own file named by
``[decide] offers_file`` (TOML, or YAML when PyYAML is installed). Every offer is checked here
field by field; eligibility rules are checked against the profile by :func:`check_offers`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvm._exceptions import ConfigError
from cvm.settings import CHANNELS, DecideSettings, number_setting

if TYPE_CHECKING:
    from cvm.engines import Engine
    from cvm.rules import CheckedRule
    from cvm.workspace import Workspace

__all__ = [
    "CHANNELS",
    "KINDS",
    "DecideSettings",
    "Offer",
    "load_catalog",
    "parse_offers",
    "read_decide_settings",
]

KINDS = ("acquisition", "retention", "cross-sell", "up-sell", "win-back", "referral")
"""Offer kinds; the kind picks the value model (see :mod:`cvm.decide.value`)."""
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$")
_KIND_ALIASES = {
    "advocacy": "referral",
    "winback": "win-back",
    "cross_sell": "cross-sell",
    "crosssell": "cross-sell",
    "up_sell": "up-sell",
    "upsell": "up-sell",
    "win_back": "win-back",
}
_FIELDS = {
    "id",
    "kind",
    "channel",
    "unit_cost",
    "discount",
    "eligible",
    "valid_from",
    "valid_to",
    "capacity",
    "min_volume",
    "weight",
    "lift",
    "base_rate",
    "margin",
    "order_value",
    "cooldown_days",
    "product",
    "boosts",
    "name",
    "response_days",
}


@dataclass(frozen=True)
class Boost:
    """A context weight: ``factor`` multiplies the score of customers matching ``where``."""

    where: str
    factor: float


@dataclass(frozen=True)
class Offer:
    """One offer of the catalog.

    ``lift`` is the configured prior: the absolute increase in the probability of a response
    caused by the offer (0.03 = three points), used when no uplift model or measured campaign
    gives one. ``discount`` is a share of the order value paid on every redeemed order.
    """

    id: str
    kind: str
    channel: str
    unit_cost: float = 0.0
    discount: float = 0.0
    eligible: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    capacity: int | None = None
    min_volume: int = 0
    weight: float = 1.0
    lift: float = 0.02
    base_rate: float | None = None
    margin: float | None = None
    order_value: float | None = None
    cooldown_days: int = 0
    product: str | None = None
    boosts: tuple[Boost, ...] = ()
    name: str | None = None
    response_days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("valid_from", "valid_to"):
            out[key] = str(out[key]) if out[key] is not None else None
        return out

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


_number = number_setting


def _day(raw: Any, where: str, name: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ConfigError(f"{where}: {name} must be a date (YYYY-MM-DD), got {raw!r}") from exc


def _text(raw: Any, where: str, name: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError(f"{where}: {name} must be a non-empty text, got {raw!r}")
    return raw.strip()


def parse_offer(raw: Any, where: str) -> Offer:
    """One offer from its table; every problem is a ``ConfigError`` naming ``where``."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: an offer must be a table, got {raw!r}")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(_FIELDS))})"
        )
    for required in ("id", "kind", "channel"):
        if required not in raw:
            raise ConfigError(f"{where}: {required} is required")
    oid = _text(raw["id"], where, "id")
    if not _ID.match(oid):
        raise ConfigError(f"{where}: id {oid!r}: use 1-48 letters, digits, '_', '-' or '.'")
    where = f"{where} ({oid})"
    kind = _text(raw["kind"], where, "kind").lower()
    kind = _KIND_ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind {raw['kind']!r}: use one of {', '.join(KINDS)}")
    channel = _text(raw["channel"], where, "channel").lower()
    if channel not in CHANNELS:
        raise ConfigError(f"{where}: channel {channel!r}: use one of {', '.join(CHANNELS)}")
    opts: dict[str, Any] = {}
    for name in ("unit_cost", "weight"):
        if name in raw:
            opts[name] = _number(raw[name], where, name)
    for name in ("discount", "margin", "base_rate"):
        if name in raw:
            opts[name] = _number(raw[name], where, name, high=1.0)
    if "lift" in raw:
        opts["lift"] = _number(raw["lift"], where, "lift", low=-1.0, high=1.0)
    if "order_value" in raw:
        opts["order_value"] = _number(raw["order_value"], where, "order_value")
    for name in ("capacity", "min_volume", "cooldown_days"):
        if name in raw:
            opts[name] = _number(raw[name], where, name, integer=True)
    if "response_days" in raw:
        opts["response_days"] = _number(
            raw["response_days"], where, "response_days", low=1, integer=True
        )
    for name in ("eligible", "product", "name"):
        if name in raw:
            opts[name] = _text(raw[name], where, name)
    for name in ("valid_from", "valid_to"):
        if name in raw:
            opts[name] = _day(raw[name], where, name)
    if opts.get("valid_from") and opts.get("valid_to") and opts["valid_to"] < opts["valid_from"]:
        raise ConfigError(f"{where}: valid_to {opts['valid_to']} is before valid_from")
    if opts.get("capacity") is not None and opts.get("min_volume", 0) > opts["capacity"]:
        raise ConfigError(f"{where}: min_volume exceeds capacity")
    if opts.get("product") and kind not in ("cross-sell", "up-sell"):
        raise ConfigError(f"{where}: product targets only cross-sell and up-sell offers")
    if "boosts" in raw:
        opts["boosts"] = _boosts(raw["boosts"], where)
    return Offer(id=oid, kind=kind, channel=channel, **opts)


def _boosts(raw: Any, where: str) -> tuple[Boost, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: boosts must be a list of {{where, factor}} tables")
    out = []
    for k, item in enumerate(raw, 1):
        if not isinstance(item, dict) or set(item) != {"where", "factor"}:
            raise ConfigError(f"{where}: boost {k} needs exactly 'where' and 'factor'")
        out.append(
            Boost(
                _text(item["where"], where, f"boost {k} where"),
                _number(item["factor"], where, f"boost {k} factor"),
            )
        )
    return tuple(out)


def parse_offers(raw: Any, source: str = "cvm.toml") -> list[Offer]:
    """Offers from a list of tables (``[[offers]]``); duplicate ids are refused."""
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: offers must be an array of tables ([[offers]])")
    offers = [parse_offer(item, f"{source}: offer {k}") for k, item in enumerate(raw, 1)]
    seen: set[str] = set()
    for o in offers:
        if o.id in seen:
            raise ConfigError(f"{source}: offer id {o.id!r} appears twice")
        seen.add(o.id)
    return offers


def read_decide_settings(section: dict[str, Any]) -> DecideSettings:
    """Check ``[decide]``; unknown keys are named (see :class:`cvm.settings.DecideSettings`)."""
    return DecideSettings(**section)


def _read_file(path: Path) -> Any:
    if not path.exists():
        raise ConfigError(f"offers file {path} not found")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as exc:
            raise ConfigError(f"{path}: reading YAML needs PyYAML (pip install pyyaml)") from exc
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or "offers" not in data:
        raise ConfigError(f"{path}: no offers (write them as [[offers]] tables)")
    return data["offers"]


def load_catalog(ws: Workspace) -> list[Offer]:
    """The workspace's offers: ``[decide] offers_file`` if set, else ``[[offers]]``."""
    name = ws.settings.decide.offers_file
    if name is not None:
        path = Path(str(name))
        path = path if path.is_absolute() else ws.path / path
        return parse_offers(_read_file(path), str(path))
    raw = ws.settings.offers
    if raw is None:
        raise ConfigError(
            "cvm.toml: no offers; add [[offers]] tables or [decide] offers_file (see README,"
            " 'Offer catalog')"
        )
    return parse_offers(raw)


def offer_rules(
    offers: list[Offer], columns: Collection[str] | None = None
) -> dict[str, CheckedRule]:
    """Every eligibility and boost rule through the guard of :mod:`cvm.rules`, keyed
    ``eligible_<k>`` and ``boost_<k>_<j>`` (offer k, boost j); ``columns=None`` checks the
    constructs only (no profile yet)."""
    from cvm.rules import check

    found = {}
    for k, o in enumerate(offers):
        if o.eligible:
            found[f"eligible_{k}"] = check(o.eligible, f"offer {o.id!r} eligible", columns)
        for j, b in enumerate(o.boosts):
            found[f"boost_{k}_{j}"] = check(b.where, f"offer {o.id!r} boost {j + 1}", columns)
    return found


def check_offers(engine: Engine, table: str, offers: list[Offer]) -> dict[str, CheckedRule]:
    """Check and type-check every eligibility and boost rule against ``table`` (the segment
    table); see :func:`offer_rules` for the keys."""
    from cvm.rules import bind
    from cvm.segments.rule_checks import table_columns

    found = offer_rules(offers, table_columns(engine, table))
    bind(engine, table, found)
    return found
