"""Measure a campaign: attribute outcomes to each arm, then lift, intervals, ROI and power.

Every treatment arm is compared with the control: conversion by the two-proportion test
(Newcombe interval), revenue and margin per customer by Welch's t and a percentile bootstrap
(revenue is heavy-tailed). With several treatment arms the p-values are Holm-adjusted and the
intervals are at the Bonferroni level ``alpha / arms``. Results feed ``response_priors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from cvm._exceptions import DataError
from cvm.campaigns.design import Campaign, get_campaign, set_status
from cvm.campaigns.effects import (
    arm_table,
    compare_arms,
    money_table,
    power_check,
    segment_table,
)
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = [
    "Measurement",
    "attribute_outcomes",
    "compare_arms",
    "measure_campaign",
    "measured_campaigns",
    "stored_results",
]


@dataclass
class Measurement:
    """What a campaign did, per arm and per segment, with uncertainty and money.

    ``arms``: one row per arm (customers, contacted, conversion rate, revenue and margin per
    customer). ``effects``: one row per treatment arm and metric (``conversion``,
    ``revenue``, ``revenue_bootstrap``, ``margin``) with lift, interval, relative lift,
    p-value and Holm-adjusted p-value. ``money``: incremental conversions, revenue and margin,
    cost and ROI per treatment arm. ``segments``: the conversion and revenue lift per stratum.
    """

    campaign_id: str
    run_id: str
    alpha: float
    arms: pd.DataFrame
    effects: pd.DataFrame
    money: pd.DataFrame
    segments: pd.DataFrame
    power: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def lift(self, metric: str = "conversion", arm: str | None = None) -> pd.Series:
        """The effect row of ``metric`` for ``arm`` (default: the first treatment arm)."""
        rows = self.effects[self.effects["metric"] == metric]
        if arm is not None:
            rows = rows[rows["arm"] == arm]
        if rows.empty:
            raise DataError(f"no {metric!r} effect for arm {arm!r}")
        return rows.iloc[0]


def attribute_outcomes(ws: Workspace, campaign: Campaign, run_id: str | None = None) -> None:
    """Fill ``campaign_outcomes`` for the campaign's assigned customers (replacing old ones)."""
    ws.engine.script(
        sql_file(__package__, "attribution.sql"),
        {
            "campaign_id": campaign.campaign_id,
            "response_days": campaign.response_days,
            "run_id": run_id,
        },
    )


def _margin_rate(ws: Workspace, campaign: Campaign) -> float:
    """The campaign's margin rate, else ``[campaigns] margin_rate`` (default 0.3)."""
    if campaign.margin_rate is not None:
        return float(campaign.margin_rate)
    return ws.settings.campaigns.margin_rate


def _outcomes(ws: Workspace, campaign_id: str) -> pd.DataFrame:
    return ws.engine.frame(sql_file(__package__, "outcomes.sql"), {"campaign_id": campaign_id})


def _per_contact(ws: Workspace, c: Campaign) -> float:
    """The campaign's cost per contact, else its offer's cost, else 0."""
    if c.cost_per_contact != 0 or not c.offer_id:
        return c.cost_per_contact
    found = ws.engine.one(sql_file(__package__, "offer_cost.sql"), {"offer_id": c.offer_id})
    return float(found[0]) if found else 0.0


def _target_relative_lift(ws: Workspace) -> float:
    """``[campaigns] target_relative_lift`` (default 0.10)."""
    return ws.settings.campaigns.target_relative_lift


def measured_campaigns(ws: Workspace) -> list[str]:
    """Ids of the campaigns whose outcomes a measurement stored, in id order."""
    rows = ws.engine.rows(sql_file(__package__, "measured.sql"))
    return [str(r[0]) for r in rows]


def stored_results(
    ws: Workspace, campaign_id: str, *, margin_rate: float | None = None
) -> pd.DataFrame:
    """Per treatment arm against the control, from the outcomes the last measurement stored.

    Nothing is re-attributed or written: a report built from this shows the numbers the
    measurement and its ``response_priors`` hold, computed by the same functions
    (:func:`compare_arms`, the money of :func:`measure_campaign`).

    Parameters
    ----------
    margin_rate : margin on incremental revenue for the ROI (default: the campaign's, else
        ``[campaigns] margin_rate``, else 0.3).

    Returns
    -------
    One row per treatment arm: ``arm``, ``customers``, ``conversion``, ``control_conversion``,
    ``lift``, ``revenue_per_customer``, ``control_revenue_per_customer``,
    ``incremental_revenue`` (with ``_lower`` and ``_upper``), ``cost``, ``roi`` (NaN, null in
    JSON, when the arm cost nothing) and ``roi_note`` (why ``roi`` is missing, else None).

    Raises
    ------
    DataError
        an unknown campaign, or one not measured yet.
    """
    c = get_campaign(ws, campaign_id)
    frame = _outcomes(ws, campaign_id)
    if frame.empty:
        raise DataError(
            f"campaign {campaign_id!r} has not been measured: run"
            f" `cvm campaign measure {campaign_id}`"
        )
    rate = _margin_rate(ws, c) if margin_rate is None else float(margin_rate)
    arms = arm_table(frame, rate)
    effects = compare_arms(frame, margin_rate=rate, bootstrap=False)
    money = money_table(c, arms, effects, rate, _per_contact(ws, c)).set_index("arm")
    treated = money.index
    control = cast(dict[Any, dict[str, Any]], arms.to_dict("index"))["control"]
    conversion = effects[effects["metric"] == "conversion"].set_index("arm")
    return pd.DataFrame(
        {
            "arm": treated,
            "customers": arms.loc[treated, "customers"].to_numpy(int),
            "conversion": arms.loc[treated, "conversion_rate"].to_numpy(float),
            "control_conversion": float(control["conversion_rate"]),
            "lift": conversion.loc[treated, "lift"].to_numpy(float),
            "revenue_per_customer": arms.loc[treated, "revenue_per_customer"].to_numpy(float),
            "control_revenue_per_customer": float(control["revenue_per_customer"]),
            "incremental_revenue": money["incremental_revenue"].to_numpy(float),
            "incremental_revenue_lower": money["incremental_revenue_lower"].to_numpy(float),
            "incremental_revenue_upper": money["incremental_revenue_upper"].to_numpy(float),
            "cost": money["cost"].to_numpy(float),
            "roi": money["roi"].to_numpy(float),
            "roi_note": money["roi_note"].to_numpy(object),
        }
    )


def _store_priors(
    ws: Workspace, c: Campaign, run_id: str, effects: pd.DataFrame, segments: pd.DataFrame
) -> None:
    keys = (
        "arm",
        "segment",
        "metric",
        "n_treatment",
        "n_control",
        "treatment",
        "control",
        "lift",
        "lower",
        "upper",
        "p_value",
    )
    overall = effects[effects["metric"].isin(["conversion", "revenue"])].assign(segment="all")
    by_segment = segments.rename(
        columns={
            "treatment_conversion": "treatment",
            "control_conversion": "control",
            "conversion_lift": "lift",
            "conversion_lower": "lower",
            "conversion_upper": "upper",
            "conversion_p": "p_value",
        }
    ).assign(metric="conversion")
    records = [
        r
        for part in (overall, by_segment)
        if not part.empty
        for r in part[list(keys)].to_dict("records")
    ]
    engine = ws.engine
    engine.run(sql_file(__package__, "priors_delete.sql"), {"campaign_id": c.campaign_id})
    for r in records:
        engine.run(
            sql_file(__package__, "priors_insert.sql"),
            {
                "campaign_id": c.campaign_id,
                "offer_id": c.offer_id,
                "channel": c.channel,
                "arm": str(r["arm"]),
                "segment": str(r["segment"]),
                "metric": r["metric"],
                "n_treatment": int(r["n_treatment"]),
                "n_control": int(r["n_control"]),
                "treatment_rate": r["treatment"],
                "control_rate": r["control"],
                "lift": r["lift"],
                "lift_lower": r["lower"],
                "lift_upper": r["upper"],
                "p_value": r["p_value"],
                "run_id": run_id,
            },
        )


def measure_campaign(
    ws: Workspace,
    campaign_id: str,
    *,
    alpha: float = 0.05,
    n_boot: int = 1000,
    seed: int = 0,
) -> Measurement:
    """Attribute outcomes, compare every treatment arm with the control, store the priors.

    Parameters
    ----------
    alpha : family-wise error rate; intervals are ``1 - alpha / arms`` (0.95 for one arm).
    n_boot, seed : bootstrap resamples of revenue per customer and their seed.

    Returns
    -------
    Measurement

    Notes
    -----
    One transaction: outcomes, priors and the run record are written together or not at all.
    The campaign is marked ``completed`` once the data reach the end of its response window.
    """
    c = get_campaign(ws, campaign_id)
    if c.outcomes:
        raise DataError(
            f"campaign {campaign_id!r} was imported with its results: measure it with"
            f" `cvm campaign measure {campaign_id} --outcome {c.outcomes[0]}` (measure_outcome)"
        )
    if c.status == "draft":
        raise DataError(f"campaign {campaign_id!r} has not been built: nothing to measure")
    margin_rate = _margin_rate(ws, c)
    engine = ws.engine
    with engine.transaction():
        run_id = ws.record_run(
            "campaign",
            model="measure",
            params={"campaign_id": campaign_id, "alpha": alpha, "n_boot": n_boot, "seed": seed},
        )
        attribute_outcomes(ws, c, run_id)
        frame = _outcomes(ws, campaign_id)
        if frame.empty:
            raise DataError(f"campaign {campaign_id!r} has no assigned customers")
        effects = compare_arms(
            frame, alpha=alpha, margin_rate=margin_rate, n_boot=n_boot, seed=seed
        )
        arms = arm_table(frame, margin_rate)
        segments = segment_table(frame, alpha / max(len(arms) - 1, 1))
        money = money_table(c, arms, effects, margin_rate, _per_contact(ws, c))
        power, notes = power_check(c, arms, effects, alpha, _target_relative_lift(ws))
        last = engine.scalar(sql_file(__package__, "last_transaction.sql"))
        window_end = frame["window_end"].max()
        if last is None or pd.Timestamp(last) < window_end:
            notes.append(
                f"the response window runs to {window_end:%Y-%m-%d} but transactions stop at"
                f" {last}: results are provisional"
            )
        elif c.status != "completed":
            set_status(ws, campaign_id, "completed")
        _store_priors(ws, c, run_id, effects, segments)
        headline = effects[effects["metric"] == "conversion"]
        metrics = pd.Series({f"{r.arm}_conversion_lift": r.lift for r in headline.itertuples()})
        engine.run(
            sql_file(__package__, "run_metrics.sql"),
            {"metrics": metrics.to_json(), "run_id": run_id},
        )
    return Measurement(campaign_id, run_id, alpha, arms, effects, money, segments, power, notes)
