"""Customer KPIs as of any date and over time, in SQL (the ``kpi_*.sql`` files beside this).

Definitions, per period (a calendar month by default; every period is ``[start, end)``):

- purchase: a transaction that is not a refund and has a positive amount;
- active: customers with at least one purchase in the period;
- new: active customers whose first purchase ever falls in the period;
- retained: active customers who were also active in the previous period;
- reactivated: active customers who are neither new nor active in the previous period
  (they bought before, then skipped at least the previous period), so
  ``new + retained + reactivated = active``;
- churned: customers active in the previous period and not in this one, so
  ``retained + churned = previous_active``; retention rate ``retained / previous_active``,
  churn rate ``churned / previous_active = 1 - retention rate``;
- repeat-purchase rate: share of active customers with two or more purchases up to the end of
  the period;
- average order value: purchase revenue / purchases; purchase frequency: purchases / active;
  revenue per customer: net revenue (purchases less refunds) / active.

A snapshot ``as_of`` a date uses the trailing period ending with that day (e.g. the month to
``as_of`` inclusive) against the period before it, so it can be taken on any day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from cvm._exceptions import ConfigError, DataError
from cvm.engines import fill, sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

DateLike = str | date | datetime | pd.Timestamp


@dataclass(frozen=True)
class Frequency:
    """A period length: its SQL interval, its pandas offset and its ``date_trunc`` part."""

    interval: str
    offset: pd.DateOffset
    part: str
    period: str


FREQUENCIES: dict[str, Frequency] = {
    "D": Frequency("1 day", pd.DateOffset(days=1), "day", "D"),
    "W": Frequency("7 days", pd.DateOffset(days=7), "week", "W-SUN"),
    "M": Frequency("1 month", pd.DateOffset(months=1), "month", "M"),
    "Q": Frequency("3 months", pd.DateOffset(months=3), "quarter", "Q"),
    "Y": Frequency("1 year", pd.DateOffset(years=1), "year", "Y"),
}


def frequency(freq: str) -> Frequency:
    """The period of ``freq`` (D, W, M, Q, Y); anything else is a clear error.

    >>> frequency("m").part
    'month'
    >>> frequency("H")
    Traceback (most recent call last):
    cvm._exceptions.ConfigError: unknown frequency 'H': expected one of D, W, M, Q, Y
    """
    key = freq.upper()
    if key not in FREQUENCIES:
        raise ConfigError(f"unknown frequency {freq!r}: expected one of {', '.join(FREQUENCIES)}")
    return FREQUENCIES[key]


def as_day(value: DateLike, name: str) -> pd.Timestamp:
    """A day (checked by the shared parser: :func:`cvm._dates.parse_day`) as a timestamp.

    >>> as_day("2024-03-05", "as_of")
    Timestamp('2024-03-05 00:00:00')
    """
    from cvm._dates import parse_day

    parse_day(value, name, ConfigError)
    ts = pd.Timestamp(value)
    return ts.tz_localize(None) if ts.tzinfo else ts


def last_purchase_day(ws: Workspace) -> pd.Timestamp:
    """The day of the last transaction; a clear error without transactions."""
    row = ws.engine.scalar(sql_file(__package__, "last_transaction.sql"))
    if row is None:
        raise DataError("no transactions: load them with `cvm ingest transactions FILE`")
    return pd.Timestamp(row).normalize()


def _activity(ws: Workspace, first: pd.Timestamp, last: pd.Timestamp, step: str) -> pd.DataFrame:
    params = {"first_start": first.to_pydatetime(), "last_start": last.to_pydatetime()}
    return ws.engine.frame(sql_file(__package__, "kpi_activity.sql"), {**params, "step": step})


def kpi_timeseries(
    ws: Workspace,
    start: DateLike | None = None,
    end: DateLike | None = None,
    freq: str = "M",
) -> pd.DataFrame:
    """KPIs per calendar period from the one holding ``start`` to the one holding ``end``.

    Defaults: from the first purchase's period to the last one's. One row per period with
    ``period_start, period_end, active, new, retained, reactivated, churned, previous_active,
    retention_rate, churn_rate, repeat_customers, repeat_purchase_rate, customers_to_date,
    orders, revenue, refunds, net_revenue, average_order_value, purchase_frequency,
    revenue_per_customer`` (definitions in the module docstring).

    Examples
    --------
    Customer 007 buys in January and February, 008 in January only, 009 in February:

    >>> from cvm.demo import example_workspace
    >>> ws = example_workspace()
    >>> ts = kpi_timeseries(ws, "2024-01-01", "2024-02-29")
    >>> ts[["active", "new", "retained", "churned"]].to_dict("records")[-1]
    {'active': 2, 'new': 1, 'retained': 1, 'churned': 1}
    >>> ts["net_revenue"].tolist()
    [80.0, 30.0]
    >>> ws.close()
    """
    f = frequency(freq)
    if start is None:
        row = ws.engine.scalar(sql_file(__package__, "first_transaction.sql"))
        if row is None:
            raise DataError("no transactions: load them with `cvm ingest transactions FILE`")
        start = pd.Timestamp(row)
    lo = as_day(start, "start").to_period(f.period).start_time
    hi = as_day(end, "end") if end is not None else last_purchase_day(ws)
    hi = hi.to_period(f.period).start_time
    if hi < lo:
        raise ConfigError(f"end {end} is before start {start}")
    return _activity(ws, lo - f.offset, hi, f.interval)


def kpi_snapshot(ws: Workspace, as_of: DateLike | None = None, freq: str = "M") -> pd.DataFrame:
    """KPIs of the trailing period ending with the day ``as_of`` (default: last purchase day).

    One row: the activity KPIs of ``kpi_timeseries`` for that period against the one before,
    plus customer equity from the latest CLV run with a cutoff on or before ``as_of``
    (``customer_equity``, ``equity_change`` from the run before, ``clv_run_id``; missing when
    no CLV run exists).
    """
    f = frequency(freq)
    day = as_day(as_of, "as_of").normalize() if as_of is not None else last_purchase_day(ws)
    end = day + timedelta(days=1)
    row = _activity(ws, end - f.offset - f.offset, end - f.offset, f.interval)
    row.insert(0, "as_of", day)
    equity = customer_equity(ws, as_of=day)
    last = equity.iloc[-1] if len(equity) else None
    row["customer_equity"] = float(last["customer_equity"]) if last is not None else float("nan")
    row["equity_change"] = float(last["equity_change"]) if last is not None else float("nan")
    row["clv_run_id"] = str(last["run_id"]) if last is not None else None
    return row


def cohort_table(
    ws: Workspace,
    start: DateLike | None = None,
    end: DateLike | None = None,
    freq: str = "M",
) -> pd.DataFrame:
    """Cohorts by acquisition period (first purchase) and age, long format.

    Columns ``cohort, age, cohort_size, customers, orders, revenue, retention,
    revenue_per_customer``: ``customers`` active ``age`` periods after acquisition (age 0 is
    the acquisition period, where retention is 1), every age up to the period holding ``end``
    (default: the last purchase day). Cohort sizes sum to the customers acquired from
    ``start`` on. ``cohort_matrix`` pivots it for a heatmap.
    """
    f = frequency(freq)
    hi = (as_day(end, "end").normalize() if end is not None else last_purchase_day(ws)) + timedelta(
        days=1
    )
    lo = as_day(start, "start") if start is not None else pd.Timestamp("1900-01-01")
    params = {"part": f.part, "start": lo.to_pydatetime(), "end": hi.to_pydatetime()}
    return ws.engine.frame(sql_file(__package__, "kpi_cohorts.sql"), params)


def cohort_matrix(cohorts: pd.DataFrame, value: str = "retention") -> pd.DataFrame:
    """Cohorts (rows) by age (columns) of one column of ``cohort_table``; NaN beyond the data.

    >>> cohorts = pd.DataFrame(
    ...     {"cohort": ["2024-01", "2024-01", "2024-02"], "age": [0, 1, 0],
    ...      "retention": [1.0, 0.5, 1.0]}
    ... )
    >>> cohort_matrix(cohorts).loc["2024-01"].tolist()
    [1.0, 0.5]
    """
    return cohorts.pivot(index="cohort", columns="age", values=value)


def customer_equity(ws: Workspace, as_of: DateLike | None = None) -> pd.DataFrame:
    """Customer equity (sum of CLV) per CLV run by cutoff, with its change from the run before.

    Columns ``run_id, cutoff, created_at, model, customers, customer_equity, mean_clv,
    median_clv, equity_change, customers_change``; empty when no CLV run has scores.
    """
    day = as_day(as_of, "as_of").to_pydatetime() if as_of is not None else None
    return ws.engine.frame(sql_file(__package__, "kpi_equity.sql"), {"as_of": day})


def clv_distribution(ws: Workspace, run_id: str | None = None) -> pd.Series:
    """Quantiles, mean and top-decile/quintile equity shares of one CLV run's CLV."""
    frame = ws.engine.frame(sql_file(__package__, "kpi_clv_distribution.sql"), {"run_id": run_id})
    if frame.empty or frame["run_id"].isna().all():
        raise DataError("no CLV run with scores: run `cvm score` first")
    return frame.iloc[0]


def _score_column(ws: Workspace, by: str) -> str:
    if by not in ("segment", "tier"):
        raise ConfigError(f"segments by {by!r}: expected segment or tier")
    cols = ws.engine.rows(sql_file(__package__, "score_columns.sql"))
    if by not in {str(c[0]) for c in cols}:
        raise DataError(f"no {by} in the scores table: run the segments step first")
    return by


def segment_runs(ws: Workspace, by: str = "segment") -> pd.DataFrame:
    """Runs whose scores carry ``by`` (segment or tier), newest first."""
    col = _score_column(ws, by)
    return ws.engine.frame(fill(sql_file(__package__, "kpi_segment_runs.sql"), column=col))


def segment_summary(ws: Workspace, by: str = "segment", run_id: str | None = None) -> pd.DataFrame:
    """Size, share and value (CLV, revenue) of each segment or tier of a run (latest default)."""
    col = _score_column(ws, by)
    if run_id is None:
        runs = segment_runs(ws, by)
        if runs.empty:
            raise DataError(f"no run with a {by}: run the segments step first")
        run_id = str(runs["run_id"].iloc[0])
    statement = fill(sql_file(__package__, "kpi_segments.sql"), column=col)
    return ws.engine.frame(statement, {"run_id": run_id})


def segment_migration(
    ws: Workspace, by: str = "segment", from_run: str | None = None, to_run: str | None = None
) -> pd.DataFrame:
    """Customers moving between segments (or tiers) from one run to another.

    Defaults: the two newest runs with ``by``. Long format ``from_group, to_group, customers``;
    ``pivot(index="from_group", columns="to_group")`` gives the migration matrix.
    """
    col = _score_column(ws, by)
    if from_run is None or to_run is None:
        runs = segment_runs(ws, by)
        if len(runs) < 2:
            raise DataError(f"segment migration needs two runs with a {by}; found {len(runs)}")
        to_run = to_run or str(runs["run_id"].iloc[0])
        from_run = from_run or str(runs["run_id"].iloc[1])
    statement = fill(sql_file(__package__, "kpi_segment_migration.sql"), column=col)
    return ws.engine.frame(statement, {"from_run": from_run, "to_run": to_run})


def imported_outcomes(ws: Workspace, margin: float | None = None) -> pd.DataFrame:
    """Lift, incremental revenue and ROI of every measured campaign, per treatment arm.

    A reader of what :func:`cvm.campaigns.measure_campaign` stored (``campaign_outcomes``):
    the same response windows (from the first contact for the treated), net of refunds, the
    same cost and ROI. Columns: ``campaign_id``, ``name``, ``arm``, ``customers`` (treated),
    ``conversion``, ``control_conversion``, ``lift`` (difference of conversion),
    ``revenue_per_customer``, ``control_revenue_per_customer``, ``incremental_revenue``,
    ``cost`` and ``roi = (margin x incremental revenue - cost) / cost`` (NaN without a cost).
    ``margin`` defaults to each campaign's margin rate. Empty when no campaign is measured.
    """
    from cvm.campaigns.measure import measured_campaigns, stored_results

    if margin is not None and not 0 < margin <= 1:
        raise ConfigError(f"margin must lie in (0, 1], got {margin!r}")
    columns = [
        "campaign_id", "name", "arm", "customers", "conversion", "control_conversion", "lift",
        "revenue_per_customer", "control_revenue_per_customer", "incremental_revenue", "cost",
        "roi",
    ]  # fmt: skip
    names = dict(ws.engine.rows(sql_file(__package__, "campaign_names.sql")))
    parts = [
        stored_results(ws, campaign_id, margin_rate=margin).assign(
            campaign_id=campaign_id, name=names.get(campaign_id)
        )
        for campaign_id in measured_campaigns(ws)
    ]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


__all__ = [
    "FREQUENCIES",
    "clv_distribution",
    "cohort_matrix",
    "cohort_table",
    "customer_equity",
    "frequency",
    "imported_outcomes",
    "kpi_snapshot",
    "kpi_timeseries",
    "segment_migration",
    "segment_runs",
    "segment_summary",
]
