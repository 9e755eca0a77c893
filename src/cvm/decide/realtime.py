"""Real-time next best action: one customer, one channel, now.

A :class:`Decider` answers from an in-memory :class:`~cvm.decide.snapshot.Snapshot` (the plan's
eligibility, contact policy, consent, cooldowns and values for every customer), adds what happened
since it was built (its own contacts, cooldowns and spend; the consent of customers whose record
changed, :meth:`Decider.consent_changed`), draws each candidate offer's lift from its posterior
(:mod:`cvm.decide.explore`), and picks the offer of highest expected incremental value, or none.
Customers held out by hash get none (reason ``holdout``) and are logged as the control arm of the
offer they would have had, so each offer's real-time decisions are a campaign (``rt.<offer_id>``)
that ``cvm campaign measure`` measures. Decisions are journaled before they are answered and
written in batches by :meth:`Decider.flush` (:mod:`cvm.decide.decision_journal`).
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from cvm._exceptions import DataError
from cvm.decide.consent_changes import ConsentChanges
from cvm.decide.decision_journal import DecisionQueue, replay
from cvm.decide.decision_log import Decision, UnknownDecisionError, record_outcome, write_decisions
from cvm.decide.explore import choose, held_out
from cvm.decide.snapshot import Since, Snapshot, build_snapshot
from cvm.decide.value import valued
from cvm.engines import sql_file

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from cvm.workspace import Workspace

log = logging.getLogger(__name__)

__all__ = ["Decider", "Decision", "UnknownCustomerError", "UnknownDecisionError", "utc_now"]


class UnknownCustomerError(DataError):
    """The id names no customer (no record, no order, no linked anonymous id)."""


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Decider:
    """Real-time decisions over a served workspace (thread-safe).

    ``ws`` is the workspace the decider reads snapshots with and writes its log through (its
    own cursor); requests pass their own cursor to :meth:`decide` for the fresh reads.
    """

    def __init__(
        self, ws: Workspace, *, clock: Callable[[], datetime] = utc_now, seed: int | None = None
    ) -> None:
        self.ws = ws
        self.settings = ws.settings.decide
        self.rt = self.settings.realtime
        self.clock = clock
        self.rng = np.random.default_rng(seed)
        self._lock = threading.Lock()
        self._build = threading.Lock()
        self._writer = ws.cursor()  # the log is written apart from the snapshot's reads
        replay(self._writer)  # what a killed service had answered but not stored
        self.queue = DecisionQueue(ws.path, fsync=self.rt.journal_fsync)
        self._write = self.queue.flushing
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._since = Since()
        self._readers = threading.local()
        self.snapshot: Snapshot | None = None
        self._ready = datetime.min
        self.consents = ConsentChanges()

    def reader(self) -> Workspace:
        """This thread's cursor for the reads of a decision (a cursor is not shared)."""
        found: Workspace | None = getattr(self._readers, "ws", None)
        if found is None:
            found = self._readers.ws = self.ws.cursor()
        return found

    # -- the snapshot -------------------------------------------------------------------
    def refresh(self) -> Snapshot:
        """Write what is pending, then rebuild the snapshot; decisions (and their log) go on
        from the old one meanwhile."""
        with self._build:
            start = self.clock()
            self.flush()
            gc.unfreeze()  # the old snapshot may be collected once it is let go
            snap = build_snapshot(self.ws, start)
            with self._lock:
                self.snapshot, self._since = snap, self._since.after(start)
                self._ready = self.clock()
            self.consents.keep_since(start)
            gc.collect()
            # the snapshot lives long: keep its objects out of every later collection, which
            # would otherwise walk them all (pauses of tens of ms under load)
            gc.freeze()
        return snap

    def current(self) -> Snapshot:
        snap = self.snapshot
        if snap is None:
            with self._build:
                snap = self.snapshot
            return snap if snap is not None else self.refresh()
        return snap

    def stale(self) -> bool:
        """Whether ``refresh_seconds`` have passed since the last snapshot was ready."""
        if self.snapshot is None:
            return True
        return self.clock() - self._ready > timedelta(seconds=self.rt.refresh_seconds)

    def in_memory(self, customer_id: str | None) -> bool:
        """Whether a decision for ``customer_id`` reads memory only (no table): the snapshot
        is built and holds the customer."""
        snap = self.snapshot
        return snap is not None and customer_id is not None and customer_id in snap.rows

    def consent_changed(
        self, ws: Workspace, customer_ids: Iterable[str], erased: bool = False
    ) -> None:
        """Read the consent of customers whose record may have changed (events committed,
        an erasure): their decisions honour it from now on, until the next snapshot. Erased
        customers also leave the snapshot: refused as unknown, no decision is logged for them."""
        ids = list(customer_ids)
        with self._lock:
            rows = self.snapshot.rows if erased and self.snapshot is not None else {}
            for cid in ids:
                rows.pop(cid, None)
        self.consents.read(ws, ids, self.clock())

    # -- one decision -------------------------------------------------------------------
    def resolve(self, customer_id: str | None, anonymous_id: str | None) -> str:
        """The customer behind the ids (an anonymous id through identity links)."""
        if customer_id:
            return customer_id
        if not anonymous_id:
            raise DataError("give customer_id or anonymous_id")
        from cvm.ingest.identity import resolve_customer_id

        found = resolve_customer_id(self.reader(), "anonymous", anonymous_id)
        if found is None:
            raise UnknownCustomerError(
                f"anonymous id {anonymous_id!r} is not linked to a customer yet (identify or"
                " alias it first)"
            )
        return found

    def decide(
        self,
        channel: str,
        customer_id: str | None = None,
        *,
        anonymous_id: str | None = None,
        placement: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> Decision:
        """The next best action for the customer on ``channel`` now, logged."""
        cid = self.resolve(customer_id, anonymous_id)
        snap = self.current()
        now = self.clock()
        base = Decision(os.urandom(16).hex(), now, cid, channel, None, "", "none")
        base.anonymous_id, base.placement, base.context = anonymous_id, placement, context
        row = snap.rows.get(cid)
        if row is None:
            known = self.reader().engine.scalar(
                sql_file(__package__, "realtime_known.sql"), {"customer_id": cid}
            )
            if not known:
                raise UnknownCustomerError(f"unknown customer {cid!r}")
            base.reason = "no profile yet: the customer arrived after the last snapshot"
            return self._log(base)
        ks = [k for k, o in enumerate(snap.offers) if o.channel == channel]
        if not ks:
            base.reason = f"no offer in the catalog for channel {channel}"
            return self._log(base)
        with self._lock:
            k = self._arbitrate(snap, row, ks, base, now)
        if k is None:
            return self._log(base)
        # consent (the snapshot's, or as changed since) before anyone is offered or held out
        if not self._consents(cid, channel):
            return self._none(base, f"{channel} policy: no_consent")
        if held_out(cid, self.rt.salt, self.rt.holdout_share):
            base.arm, base.reason = "control", "holdout"
            return self._log(base)
        with self._lock:
            again = self._blocked(snap, row, k, cid, now)  # a decision made meanwhile
            if again is not None:
                return self._none(base, again)
            self._commit(snap, k, base)
        return self._log(base)

    def _consents(self, cid: str, channel: str) -> bool:
        """Consent as changed since the snapshot (no record: no consent); True when it did
        not change (the snapshot's policy reasons hold its consent then)."""
        if not self.rt.fresh_consent:
            return True
        return self.consents.allows(cid, channel) is not False

    def _blocked(self, snap: Snapshot, row: int, k: int, cid: str, now: datetime) -> str | None:
        o = snap.offers[k]
        code = snap.reason_codes[row, k]
        if code >= 0:
            return snap.reason_texts[code]
        since = self._since
        last = since.offered.get((cid, k))
        if last is not None and o.cooldown_days and now - last < timedelta(days=o.cooldown_days):
            return f"cooldown {o.cooldown_days} days"
        times = since.contacts.get(cid, [])
        caps = self.ws.settings.campaigns.frequency_caps
        if snap.last_7[row] + sum(t > now - timedelta(days=7) for t in times) >= caps.days_7:
            return f"{o.channel} policy: frequency_cap_7d"
        if snap.last_30[row] + sum(t > now - timedelta(days=30) for t in times) >= caps.days_30:
            return f"{o.channel} policy: frequency_cap_30d"
        plan = snap.plan
        if plan.offer_left is not None and plan.offer_left[k] - since.per_offer.get(k, 0) < 1:
            return f"capacity: offer {o.id} is used up in plan {plan.run_id}"
        left = plan.channel_left.get(o.channel)
        if left is not None and left - since.per_channel.get(o.channel, 0) < 1:
            return f"capacity: channel {o.channel} is used up in plan {plan.run_id}"
        return None

    def _values(
        self, snap: Snapshot, row: int, ks: list[int], shifts: np.ndarray, ok: np.ndarray
    ) -> Any:
        """The candidates valued as the plan values them, one row per lift shift (the
        posterior mean's, and a draw's when exploring), from the customer's bases."""
        return valued(
            snap.bases.rows(row, ks),
            snap.lift[row, ks][None, :] + shifts[:, ks],
            snap.source[row, ks],
            context=snap.context[row, ks][None, :],
            eligible=ok,
            dtype=np.float64,
        )

    def _arbitrate(
        self, snap: Snapshot, row: int, ks: list[int], base: Decision, now: datetime
    ) -> int | None:
        """The offer (its catalog index) worth most, with its numbers in ``base``; None with
        the reason in ``base`` when nothing is eligible or worth it."""
        cid = base.customer_id
        why = [self._blocked(snap, row, k, cid, now) for k in ks]
        if all(w is not None for w in why):
            found = dict.fromkeys(str(w) for w in why)
            base.reason = (
                next(iter(found))
                if len(found) == 1
                else "; ".join(f"{snap.offers[k].id}: {w}" for k, w in zip(ks, why, strict=True))
            )
            return None
        ok = np.array([w is None for w in why])
        post = snap.posteriors
        shifts = [post.mean_shift()]
        if self.rt.exploration_cap > 0:
            shifts.append(post.shift(post.draw_lift(self.rng)))
        f = self._values(snap, row, ks, np.array(shifts), ok)
        budget = snap.plan.budget_left - self._since.spent
        fits = ok & (f.cost[0] <= budget)
        mean_score = np.where(fits, f.ev[0] * f.weight * f.context[0], -np.inf)
        drawn_score = np.where(fits & (f.ev[-1] > 0), f.score[-1], -np.inf)
        j, explored = choose(drawn_score, mean_score, self.rt.exploration_cap)
        if j < 0:
            over = ok & (f.cost[0] > budget) & (f.ev[0] > 0)
            base.reason = (
                f"budget: {budget:.2f} left in plan {snap.plan.run_id}"
                if over.any()
                else f"nothing worth it: best expected value {float(np.nanmax(f.ev[0][ok])):.4g}"
            )
            return None
        r = len(shifts) - 1 if explored else 0
        k = ks[j]
        base.would_offer, base.explored, base.unit_cost = (
            snap.offers[k].id,
            explored,
            snap.offers[k].unit_cost,
        )
        base.score, base.ev = float(f.score[r, j]), float(f.ev[r, j])
        base.lift, base.cost = float(f.lift[r, j]), float(f.cost[r, j])
        return k

    def _commit(self, snap: Snapshot, k: int, base: Decision) -> None:
        """Offer it: what it changes counts against the next decisions at once."""
        o = snap.offers[k]
        base.arm, base.offer_id = "treatment", o.id
        base.reason = (
            f"explored: drew lift {base.lift:.4g}, expected value {base.ev:.4g}"
            if base.explored
            else f"best expected value {base.ev:.4g} (lift {base.lift:.4g})"
        )
        self._since.add(base.ts, base.customer_id, k, o.channel, base.cost or 0.0)

    def _none(self, base: Decision, reason: str) -> Decision:
        base.arm, base.offer_id, base.would_offer, base.reason = "none", None, None, reason
        base.score = base.ev = base.lift = base.cost = None
        base.explored = False
        return self._log(base)

    def _log(self, d: Decision) -> Decision:
        self.queue.add(d)  # journaled before it is answered
        return d

    # -- the log --------------------------------------------------------------------------
    def flush(self) -> int:
        """Write the pending decisions (one transaction); returns how many."""
        with self._write:
            return self._flush_locked()

    def _flush_locked(self) -> int:
        pending, sealed = self.queue.take()
        try:
            if pending:
                write_decisions(self._writer, pending, self.window_days, self.rt.holdout_share)
        except Exception:
            self.queue.put_back(pending)  # kept for the next flush (and in the journal)
            raise
        self.queue.done(sealed)
        return len(pending)

    @property
    def window_days(self) -> int:
        """Days after a decision in which a purchase is its response."""
        return self.rt.attribution_days or self.settings.response_days

    def outcome(
        self,
        decision_id: str,
        *,
        converted: bool = True,
        revenue: float | None = None,
        order_id: str | None = None,
        ts: datetime | None = None,
    ) -> dict[str, Any]:
        """Record a response to a decision: a purchase is stored as an order (unless its
        ``order_id`` is already known), so measurement attributes it like any purchase."""
        self.flush()
        answer = record_outcome(
            self.reader(),
            decision_id,
            self.window_days,
            converted,
            revenue,
            order_id,
            ts if ts is not None else self.clock(),
        )
        offer_id, arm, attributed = answer["offer_id"], answer["arm"], answer["attributed"]
        snap = self.snapshot
        if attributed and snap is not None and offer_id is not None:
            k = next((k for k, o in enumerate(snap.offers) if o.id == offer_id), None)
            if k is not None:
                with self._lock:  # known now; the next snapshot counts it from the tables
                    snap.posteriors.record(k, treated=arm != "control", responded=True)
        return answer

    # -- running in a service ------------------------------------------------------------
    def start(self, interval: float = 1.0) -> None:
        """Write the log every ``interval`` seconds (a write costs tens of milliseconds
        whatever its size, so a second's decisions share one), and rebuild the snapshot when
        it is older than ``refresh_seconds``, in two background threads, until :meth:`close`."""

        def every(step: str, seconds: float, work: Callable[[], object]) -> Callable[[], None]:
            def loop() -> None:
                while not self._stop.wait(seconds):
                    try:
                        work()
                    except Exception:  # nothing is lost: pending decisions stay pending
                        log.exception("real-time decisions: the %s step failed", step)

            return loop

        def rebuild() -> None:
            if self.stale():
                self.refresh()

        for name, loop in (
            ("log", every("log", interval, self.flush)),
            ("snapshot", every("snapshot", 1.0, rebuild)),
        ):
            thread = threading.Thread(target=loop, name=f"cvm-decisions-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        """Stop the background threads and write what is pending."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        self.flush()
        self.queue.close()
        self._writer.close()
