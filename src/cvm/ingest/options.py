"""How to read one source: ``cvm.toml`` ``[sources.<kind>]`` merged with call options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cvm._exceptions import ConfigError
from cvm._limits import DEFAULT_TIMESTAMP_FLOOR, MAX_SCORE, finite_setting
from cvm.ingest.kinds import source_kind
from cvm.ingest.profiles import PROFILE_ALIASES, PROFILE_DATE_FORMATS, PROFILE_STATUSES, PROFILES
from cvm.settings import Settings, suggest
from cvm.workspace.config import Config


@dataclass(frozen=True)
class SourceOptions:
    """Everything a loader needs to know about a source besides its rows.

    ``currency`` is the source currency used when a row has none; ``rates`` converts a source
    currency into ``workspace_currency`` (1 unit of the key = value units).
    """

    kind: str = "transactions"
    profile: str = "generic"
    columns: Mapping[str, str] = field(default_factory=dict)
    date_format: str | None = None
    timezone: str = "UTC"
    currency: str = "USD"
    workspace_currency: str = "USD"
    rates: Mapping[str, float] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    score_min: float = 0.0
    score_max: float = 10.0
    decimal: str = "."  # decimal separator of numbers written as text: "." or ","
    header: bool | None = None  # text files: a header line? None: CSV yes, whitespace sniffed
    names: tuple[str, ...] = ()  # text files: the columns' names, in order (replace a header)
    statuses: tuple[str, ...] = ()  # purchase statuses of a status-filtered profile, lower-case
    timestamp_floor: str = DEFAULT_TIMESTAMP_FLOOR  # earlier timestamps are refused

    def rate_table(self) -> list[tuple[str, float]]:
        """(currency, rate) pairs, the workspace currency always at 1."""
        rates = {k.upper(): float(v) for k, v in self.rates.items()}
        rates[self.workspace_currency.upper()] = 1.0
        return sorted(rates.items())


def _check_mapped(kind: str, columns: Mapping[str, str], where: str) -> None:
    """Refuse a mapping to a column the kind does not have (``--map customerid=...``): a typo
    here would otherwise be ignored and the column read from elsewhere, or not at all."""
    known = sorted(source_kind(kind).mappable)
    for name in columns:
        if name not in known:
            raise ConfigError(
                f"{where.format(name=name)}: {kind} has no column {name!r}"
                + suggest(name, known)
                + " (the form is canonical=source, e.g. customer_id=client)"
            )


def resolve_options(
    config: Config | None,
    kind: str,
    *,
    profile: str | None = None,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    currency: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    score_min: float | None = None,
    score_max: float | None = None,
    decimal: str | None = None,
    header: bool | None = None,
    names: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
) -> SourceOptions:
    """Merge ``[sources.<kind>]`` from ``cvm.toml`` with explicit options (explicit wins)."""
    k = source_kind(kind).name
    settings = config.settings if config else Settings()
    source = settings.sources.kind(k)
    rates = dict(settings.currencies)
    merged_cols = {**source.columns, **(columns or {})}
    _check_mapped(k, source.columns, f"cvm.toml [sources.{k}.columns] {{name}}")
    _check_mapped(k, columns or {}, "--map {name}=...")
    prof = str(profile or source.profile or "generic")
    prof = PROFILE_ALIASES.get(prof, prof)
    if prof not in PROFILES:
        names = ", ".join([*PROFILES, *PROFILE_ALIASES])
        raise ConfigError(f"unknown profile {prof!r}: expected one of {names}")
    ws_currency = settings.workspace.currency
    tz = str(timezone or source.timezone or settings.workspace.timezone)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {tz!r}") from exc
    fmt = date_format or source.date_format or PROFILE_DATE_FORMATS.get(prof)
    delim = delimiter or source.delimiter
    if delim is not None and delim in ("\\t", "tab"):
        delim = "\t"
    if delim is not None and str(delim).lower() in ("whitespace", "space", "spaces", "\\s+"):
        delim = "whitespace"
    has_header = header if header is not None else source.header
    col_names = tuple(str(n).strip() for n in (names or source.names or ()))
    if any(not n for n in col_names):
        raise ConfigError("column names must not be empty (--columns a,b,c)")
    sep = str(decimal or source.decimal or ".")
    if sep not in (".", ","):
        raise ConfigError(f"decimal separator must be '.' or ',', got {sep!r}")
    wanted = statuses if statuses is not None else source.statuses
    if wanted is not None and (
        isinstance(wanted, str) or not all(isinstance(w, str) for w in wanted)
    ):
        raise ConfigError(f"cvm.toml: [sources.{k}] statuses must be a list of strings")
    chosen = tuple(wanted) if wanted is not None else PROFILE_STATUSES.get(prof, ())
    lo = score_min if score_min is not None else source.score_min
    hi = score_max if score_max is not None else source.score_max
    where = f"[sources.{k}]"
    return SourceOptions(
        statuses=tuple(st.strip().lower() for st in chosen),
        decimal=sep,
        header=has_header,
        names=col_names,
        timestamp_floor=timestamp_floor(config),
        kind=k,
        profile=prof,
        columns=merged_cols,
        date_format=str(fmt) if fmt else None,
        timezone=tz,
        currency=str(currency or source.currency or ws_currency).upper(),
        workspace_currency=ws_currency,
        rates=rates,
        delimiter=str(delim) if delim else None,
        encoding=encoding or source.encoding,
        score_min=finite_setting(lo, f"{where} score_min", low=-MAX_SCORE, high=MAX_SCORE),
        score_max=finite_setting(hi, f"{where} score_max", low=-MAX_SCORE, high=MAX_SCORE),
    )


def timestamp_floor(config: Config | None) -> str:
    """``[ingest] timestamp_floor`` (a date, default 1970-01-01): earlier timestamps are refused.

    Dates like 0001-01-01 or 1900-01-01 are placeholders of source systems, not purchases.
    """
    return (config.settings if config else Settings()).ingest.timestamp_floor
