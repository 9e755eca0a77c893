"""Live profiles: a few customers' profile, scores and segments refreshed as their events land.

When the service commits a purchase or an identify, the customers it touched are refreshed at
once with the batch path's own code: the profile is ``profile.sql`` (through
:func:`cvm.features.profile.customer_profile`), the purchase summary ``summary.sql``
(:func:`cvm.features.rfm_summary`), the scores :func:`cvm.clv.scoring.score_clv` with the
newest run's parameters (:mod:`cvm.clv.live`), the lifecycle stage ``segments.sql`` and the
rule segments :func:`cvm.segments.rules.evaluate_rules`. They run on a cursor of their own
where each stored table is stood in for by a temporary table of those customers' rows
(``live_scope.sql``), so the same SQL reads a handful of rows instead of the whole store.

Two things need the whole population and are not in a live profile: RFM scores and value tiers
(quantiles and ranks over every customer), and rule segments that read them (listed as
``segments_not_live``). One-time buyers are staged against the population's typical gap
between purchases, computed on the whole profile (:func:`typical_gap`), as ``cvm segment``
does. The rows land in ``live_profiles``; :func:`read_profile` is one indexed lookup.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlglot.expressions as exp

from cvm._dates import parse_day
from cvm._exceptions import CvmError
from cvm.clv.live import LiveFit, latest_fit, score_histories
from cvm.engines import fill, sql_file
from cvm.features import rfm_summary
from cvm.features.profile import PROFILE_COLUMNS, customer_profile
from cvm.segments.assign import SEGMENT_TABLE, default_as_of, segment_params
from cvm.segments.rule_checks import check_rules
from cvm.segments.rules import evaluate_rules
from cvm.segments.settings import Rule, lineage

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = [
    "LIVE_COLUMNS",
    "live_rules",
    "profile_events",
    "read_profile",
    "refresh_profiles",
    "typical_gap",
]

SCOPED = ("transactions", "events", "customers", "subscriptions", "scores")
"""The stored tables a profile reads by ``customer_id``; ``order_items`` follows transactions."""

LIVE_COLUMNS = frozenset(c.lower() for c in PROFILE_COLUMNS) | {"lifecycle"}
"""What a live rule segment may read: the profile and the lifecycle stage."""

NO_MODEL = (
    "no fitted CLV model in this workspace: run `cvm score` (or `cvm fit`) and the live"
    " profiles are scored with it"
)


def refresh_profiles(
    ws: Workspace,
    customer_ids: Iterable[str] | None = None,
    *,
    as_of: date | str | None = None,
    gap: float | None = None,
    live: LiveFit | None = None,
    written: Callable[[Workspace, list[str], list[tuple[str, str]]], None] | None = None,
) -> int:
    """Rebuild the live rows of ``customer_ids`` (every customer when None); returns the rows
    written. A customer the store no longer holds (erased, merged away) loses its row.

    Parameters
    ----------
    ws : the workspace (any cursor of it; the refresh takes a cursor of its own).
    customer_ids : the customers whose events were just committed.
    as_of : the day the profiles describe (default: the newest transaction, event or contract
        day, as ``cvm segment``).
    gap : the population's typical gap between purchases for that day (default: computed,
        see :func:`typical_gap`; ignored for every customer, where it is the profile's own).
    live : the models to score with (default: the newest ``clv`` run's, :func:`latest_fit`).
    written : called after a refresh of ``customer_ids`` with the workspace, those ids and the
        ``(customer_id, profile JSON)`` rows written (the service's copy in memory,
        :class:`cvm.segments.live_cache.ProfileCache`).
    """
    ids = None if customer_ids is None else sorted({str(c) for c in customer_ids if c})
    if ids == []:
        return 0
    day = parse_day(as_of, "as_of") if as_of is not None else default_as_of(ws)
    live = live if live is not None else latest_fit(ws)
    if ids is not None and gap is None:
        gap = typical_gap(ws, day)
    cur = ws.cursor()
    try:
        if ids is not None:
            _scope(cur, ids)
        count = _build_and_store(cur, day, live, None if ids is None else gap, ids is None)
        if written is not None and ids is not None:
            rows = cur.engine.rows(sql_file(__package__, "live_written.sql"))
            written(cur, ids, [(str(c), str(p)) for c, p in rows])
        return count
    finally:
        cur.close()


def typical_gap(ws: Workspace, day: date) -> float | None:
    """The median over every customer of the mean days between purchase days, as of ``day``:
    what ``segments.sql`` stages one-time buyers by (None: nobody bought twice)."""
    cur = ws.cursor()
    try:
        customer_profile(cur, day)
        found = cur.engine.scalar(sql_file(__package__, "live_typical_gap.sql"))
    finally:
        cur.close()
    return None if found is None else float(found)


def _scope(cur: Workspace, ids: list[str]) -> None:
    engine = cur.engine
    with engine.register("live_ids_frame", pd.DataFrame({"customer_id": ids}, dtype=object)):
        engine.run(sql_file(__package__, "live_ids.sql"))
    key = str(cur.path.resolve())
    if key not in _CATALOGS:
        _CATALOGS[key] = str(engine.scalar(sql_file(__package__, "live_database.sql")))
    for statement in _scope_statements(_CATALOGS[key]):
        engine.run(statement)


_CATALOGS: dict[str, str] = {}
"""The catalog name of each workspace's database (its file's stem), asked once."""


@cache
def _scope_statements(catalog: str) -> tuple[str, ...]:
    """The scoping statements for a database, rendered once (a refresh runs them each time)."""

    def stored(name: str) -> exp.Table:
        return exp.table_(name, db="main", catalog=catalog, quoted=True)

    scope = sql_file(__package__, "live_scope.sql")
    views = [fill(scope, view=name, source=stored(name)) for name in SCOPED]
    views.append(fill(sql_file(__package__, "live_scope_items.sql"), source=stored("order_items")))
    return tuple(v.sql(dialect="duckdb") for v in views)


def live_rules(cur: Workspace, rules: dict[str, Rule]) -> tuple[dict[str, Rule], list[str]]:
    """The rule segments a live profile can be in (they and their parents read only profile
    columns and the lifecycle stage), and the names of the others."""
    if not rules:
        return {}, []
    checked = check_rules(cur.engine, SEGMENT_TABLE, rules)
    own = {n: {c.lower() for c in r.columns} <= LIVE_COLUMNS for n, r in checked.items()}
    ok = {n: r for n, r in rules.items() if all(own[p.name] for p in lineage(r, rules))}
    return ok, [n for n in rules if n not in ok]


def _members(cur: Workspace, rules: dict[str, Rule]) -> pd.DataFrame:
    if not rules:
        return pd.DataFrame({"customer_id": pd.Series([], dtype=object),
                             "segment": pd.Series([], dtype=object)})  # fmt: skip
    members = evaluate_rules(cur, rules, table=SEGMENT_TABLE)
    rows, cols = np.nonzero(members.to_numpy(bool))
    return pd.DataFrame(
        {
            "customer_id": members.index.to_numpy(dtype=object)[rows],
            "segment": np.array(members.columns, dtype=object)[cols],
        }
    )


def _scores(cur: Workspace, day: date, live: LiveFit | None) -> pd.DataFrame:
    """The scores of every customer in scope with a purchase by ``day`` (none without a model)."""
    names = ["frequency", "recency", "t", "monetary", "expected_purchases", "p_alive",
             "expected_spend", "clv"]  # fmt: skip
    if live is None:
        empty = {n: pd.Series([], dtype=float) for n in names}
        ids = pd.Series([], dtype=object)
        return pd.DataFrame({"customer_id": ids, **empty, "spend_imputed": ids.astype(bool)})
    summary = rfm_summary(cur, day, unit=live.unit)
    scored = score_histories(live, summary[["frequency", "recency", "T", "monetary_value"]])
    scored = scored.rename(columns={"T": "t", "monetary_value": "monetary"})
    return scored.reset_index(names="customer_id")


def _build_and_store(
    cur: Workspace, day: date, live: LiveFit | None, gap: float | None, everyone: bool
) -> int:
    engine = cur.engine
    scores = _scores(cur, day, live)
    clv = scores[["customer_id", "clv", "p_alive", "expected_purchases"]]
    customer_profile(cur, day, clv_scores=clv)
    engine.run(sql_file(__package__, "live_rfm_map.sql"))
    engine.run(
        sql_file(__package__, "segments.sql"), segment_params(day, cur.settings.segments, gap)
    )
    rules, not_live = live_rules(cur, cur.settings.segments.rules)
    params: dict[str, Any] = {
        "as_of": day,
        "now": datetime.now(UTC).replace(tzinfo=None),
        "run_id": live.run_id if live else None,
        "model": live.model if live else None,
        "cutoff": live.cutoff if live else None,
        "unit": live.unit if live else None,
        "no_scores": None if live else NO_MODEL,
        "not_live": not_live,
    }
    with (
        engine.register("live_scores_frame", scores),
        engine.register("live_members_frame", _members(cur, rules)),
    ):
        engine.run(sql_file(__package__, "live_rows.sql"), params)
    with engine.transaction():
        engine.run(sql_file(__package__, "live_clear.sql" if everyone else "live_delete.sql"))
        return len(engine.rows(sql_file(__package__, "live_insert.sql")))


def read_profile(ws: Workspace, customer_id: str) -> dict[str, Any] | None:
    """The stored live profile of ``customer_id`` (None when it has none): one lookup."""
    text = read_profile_json(ws, customer_id)
    return None if text is None else dict(json.loads(text))


def read_profile_json(ws: Workspace, customer_id: str) -> str | None:
    """:func:`read_profile` as the stored JSON text, for a service that sends it as it is."""
    rows = ws.engine.rows(sql_file(__package__, "live_read.sql"), {"customer_id": customer_id})
    return str(max(rows, key=lambda r: r[1])[0]) if rows else None


def profile_events(
    ws: Workspace, customer_id: str, *, limit: int = 50, after: tuple[datetime, str] | None = None
) -> tuple[pd.DataFrame, tuple[datetime, str] | None]:
    """A page of the customer's events, newest first, and the cursor of the next page (None
    on the last). ``after`` is the cursor a previous page returned."""
    if not 1 <= limit <= 1000:
        raise CvmError(f"limit must be between 1 and 1000, got {limit}")
    ts, message_id = after if after is not None else (None, None)
    params = {"customer_id": customer_id, "ts": ts, "message_id": message_id, "limit": limit}
    page = ws.engine.frame(sql_file(__package__, "live_events.sql"), params)
    if len(page) <= limit:
        return page, None
    page = page.iloc[:limit]
    last = page.iloc[-1]
    return page, (pd.Timestamp(last["ts"]).to_pydatetime(), str(last["message_id"]))
