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
from cvm.campaigns import stats
from cvm.campaigns._script import run_script
from cvm.campaigns.design import Campaign, get_campaign, set_status
from cvm.settings import CampaignSettings

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

# Why a treatment arm has no ROI (NaN in the frames, null in JSON).
NO_COST = "no cost: ROI is undefined (give --cost-per-contact, a fixed cost or an offer cost)"


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
    run_script(
        ws.con,
        "attribution.sql",
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


def compare_arms(
    frame: pd.DataFrame,
    *,
    alpha: float = 0.05,
    margin_rate: float = CampaignSettings.model_fields["margin_rate"].default,
    n_boot: int = 1000,
    seed: int = 0,
    bootstrap: bool = True,
) -> pd.DataFrame:
    """Lift of every treatment arm over ``control`` on conversion, revenue and margin.

    ``frame`` holds one row per customer with ``arm``, ``converted`` (bool) and ``revenue``.
    Intervals are at level ``alpha / k`` for ``k`` treatment arms (Bonferroni); ``p_adjusted``
    is Holm's step-down adjustment within each metric.
    """
    arm = frame["arm"].to_numpy()
    treat_arms = sorted(a for a in pd.unique(arm) if a != "control")
    if "control" not in set(arm) or not treat_arms:
        raise DataError("a measurement needs a control arm and at least one treatment arm")
    level = alpha / len(treat_arms)
    conv = frame["converted"].to_numpy(bool)
    rev = frame["revenue"].to_numpy(float)
    is_control = arm == "control"
    rows = []
    for name in treat_arms:
        t = arm == name
        n1, n0 = int(t.sum()), int(is_control.sum())
        results = {
            "conversion": stats.two_proportion(
                int(conv[t].sum()), n1, int(conv[is_control].sum()), n0, alpha=level
            ),
            "revenue": stats.welch(rev[t], rev[is_control], alpha=level),
            "margin": stats.welch(margin_rate * rev[t], margin_rate * rev[is_control], alpha=level),
        }
        if bootstrap:
            results["revenue_bootstrap"] = stats.bootstrap_mean_difference(
                rev[t], rev[is_control], alpha=level, n_boot=n_boot, seed=seed
            )
        for metric, lift in results.items():
            rows.append(
                {
                    "arm": name,
                    "metric": metric,
                    "n_treatment": n1,
                    "n_control": n0,
                    **lift.as_dict(),
                }
            )
    effects = pd.DataFrame(rows)
    effects["p_adjusted"] = effects.groupby("metric")["p_value"].transform(
        lambda p: stats.holm(p.to_numpy())
    )
    effects["significant"] = effects["p_adjusted"] < alpha
    effects["level"] = 1 - level
    return effects


def _arm_table(frame: pd.DataFrame, margin_rate: float) -> pd.DataFrame:
    grouped = frame.groupby("arm", sort=True)
    arms = pd.DataFrame(
        {
            "customers": grouped.size(),
            "contacted": grouped["contacted"].sum(),
            "conversions": grouped["converted"].sum(),
            "conversion_rate": grouped["converted"].mean(),
            "revenue": grouped["revenue"].sum(),
            "revenue_per_customer": grouped["revenue"].mean(),
            "visits_per_customer": grouped["visits"].mean(),
        }
    )
    arms["margin_per_customer"] = arms["revenue_per_customer"] * margin_rate
    return arms


def _segment_table(frame: pd.DataFrame, alpha: float) -> pd.DataFrame:
    rows = []
    strata = frame["stratum"].fillna("all")
    if strata.nunique() < 2:
        return pd.DataFrame()
    for segment, part in frame.groupby(strata, sort=True):
        for name in sorted(a for a in part["arm"].unique() if a != "control"):
            t, c = part[part["arm"] == name], part[part["arm"] == "control"]
            if len(t) < 2 or len(c) < 2:
                continue
            conv = stats.two_proportion(
                int(t["converted"].sum()), len(t), int(c["converted"].sum()), len(c), alpha=alpha
            )
            rev = stats.welch(t["revenue"].to_numpy(), c["revenue"].to_numpy(), alpha=alpha)
            rows.append(
                {
                    "segment": segment,
                    "arm": name,
                    "n_treatment": len(t),
                    "n_control": len(c),
                    "control_conversion": conv.control,
                    "treatment_conversion": conv.treatment,
                    "conversion_lift": conv.lift,
                    "conversion_lower": conv.lower,
                    "conversion_upper": conv.upper,
                    "conversion_p": conv.p_value,
                    "revenue_lift": rev.lift,
                    "revenue_lower": rev.lower,
                    "revenue_upper": rev.upper,
                    "revenue_p": rev.p_value,
                }
            )
    return pd.DataFrame(rows)


def _money(
    ws: Workspace, c: Campaign, arms: pd.DataFrame, effects: pd.DataFrame, margin_rate: float
) -> pd.DataFrame:
    per_contact = c.cost_per_contact
    if per_contact == 0 and c.offer_id:
        found = ws.con.execute(
            "SELECT cost FROM offers WHERE offer_id = ?", [c.offer_id]
        ).fetchall()
        per_contact = float(found[0][0]) if found else 0.0
    treat = [a for a in arms.index if a != "control"]
    table = cast(dict[Any, dict[str, Any]], arms.to_dict("index"))
    treated_total = float(sum(table[a]["customers"] for a in treat))
    rows = []
    for name in treat:
        n = float(table[name]["customers"])
        contacted = float(table[name]["contacted"]) or n
        conv = effects[(effects["arm"] == name) & (effects["metric"] == "conversion")].iloc[0]
        rev = effects[(effects["arm"] == name) & (effects["metric"] == "revenue")].iloc[0]
        cost = per_contact * contacted + c.fixed_cost * n / treated_total
        inc_margin = rev["lift"] * n * margin_rate
        rows.append(
            {
                "arm": name,
                "treated": int(n),
                "contacted": int(contacted),
                "incremental_conversions": conv["lift"] * n,
                "incremental_revenue": rev["lift"] * n,
                "incremental_revenue_lower": rev["lower"] * n,
                "incremental_revenue_upper": rev["upper"] * n,
                "incremental_margin": inc_margin,
                "incremental_margin_lower": rev["lower"] * n * margin_rate,
                "incremental_margin_upper": rev["upper"] * n * margin_rate,
                "cost": cost,
                "roi": (inc_margin - cost) / cost if cost > 0 else float("nan"),
                "roi_note": None if cost > 0 else NO_COST,
            }
        )
    return pd.DataFrame(rows)


def _outcomes(ws: Workspace, campaign_id: str) -> pd.DataFrame:
    return ws.con.execute(
        "SELECT arm, stratum, contacted, converted, revenue, visits, window_end"
        " FROM campaign_outcomes WHERE campaign_id = ? ORDER BY customer_id",
        [campaign_id],
    ).df()


def measured_campaigns(ws: Workspace) -> list[str]:
    """Ids of the campaigns whose outcomes a measurement stored, in id order."""
    rows = ws.con.execute(
        "SELECT DISTINCT campaign_id FROM campaign_outcomes ORDER BY 1"
    ).fetchall()
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
    arms = _arm_table(frame, rate)
    effects = compare_arms(frame, margin_rate=rate, bootstrap=False)
    money = _money(ws, c, arms, effects, rate).set_index("arm")
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


def _power(
    ws: Workspace, c: Campaign, arms: pd.DataFrame, effects: pd.DataFrame, alpha: float
) -> tuple[dict[str, Any], list[str]]:
    table = cast(dict[Any, dict[str, Any]], arms.to_dict("index"))
    baseline = float(table["control"]["conversion_rate"])
    n0 = int(table["control"]["customers"])
    treat = [a for a in table if a != "control"]
    n1 = int(min(table[a]["customers"] for a in treat))
    level = alpha / len(treat)
    mde = stats.minimum_detectable_lift(baseline, n0, n1, alpha=level)
    relative = ws.settings.campaigns.target_relative_lift
    target = c.target_lift if c.target_lift is not None else relative * baseline
    power = {
        "baseline_conversion": baseline,
        "minimum_detectable_lift": mde,
        "target_lift": target,
        "control": n0,
        "smallest_treatment": n1,
    }
    power["power_at_target"] = stats.power_conversion(baseline, target, n0, n1, alpha=level)
    conversion = effects[effects["metric"] == "conversion"]
    unclear = conversion.loc[conversion["p_adjusted"] >= alpha, "arm"].tolist()
    notes = []
    # Only a test that missed significance AND could not have found the target lift is
    # under-powered in a sense that matters: a significant lift needs no such caveat.
    if power["power_at_target"] < 0.8 and unclear:
        need = (
            stats.sample_size_conversion(baseline, target, alpha=level, ratio=n1 / n0)[0]
            if 0 < baseline < 1 and 0 < baseline + target < 1
            else None
        )
        extra = f"; detecting it needs about {need:,} controls" if need else ""
        which = f" (arm {', '.join(unclear)})" if len(unclear) < len(conversion) else ""
        notes.append(
            f"under-powered{which}: power {power['power_at_target']:.0%} to detect the target;"
            f" with {n0:,} controls and {n1:,} treated the smallest conversion lift"
            f" detectable with 80% power is {mde:.2%} (target {target:.2%}){extra}. A lift that"
            " is not significant here is not evidence of no effect."
        )
    return power, notes


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
    rows = [
        (
            c.campaign_id,
            c.offer_id,
            c.channel,
            str(r["arm"]),
            str(r["segment"]),
            r["metric"],
            int(r["n_treatment"]),
            int(r["n_control"]),
            r["treatment"],
            r["control"],
            r["lift"],
            r["lower"],
            r["upper"],
            r["p_value"],
            run_id,
        )
        for r in records
    ]
    ws.con.execute("DELETE FROM response_priors WHERE campaign_id = ?", [c.campaign_id])
    ws.con.executemany(
        "INSERT INTO response_priors (campaign_id, offer_id, channel, arm, segment, metric,"
        " n_treatment, n_control, treatment_rate, control_rate, lift, lift_lower, lift_upper,"
        " p_value, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
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
    from cvm.workspace import transaction

    c = get_campaign(ws, campaign_id)
    if c.outcomes:
        raise DataError(
            f"campaign {campaign_id!r} was imported with its results: measure it with"
            f" `cvm campaign measure {campaign_id} --outcome {c.outcomes[0]}` (measure_outcome)"
        )
    if c.status == "draft":
        raise DataError(f"campaign {campaign_id!r} has not been built: nothing to measure")
    margin_rate = _margin_rate(ws, c)
    con = ws.con
    with transaction(con):
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
        arms = _arm_table(frame, margin_rate)
        segments = _segment_table(frame, alpha / max(len(arms) - 1, 1))
        money = _money(ws, c, arms, effects, margin_rate)
        power, notes = _power(ws, c, arms, effects, alpha)
        last = con.execute("SELECT max(ts) FROM transactions").fetchall()[0][0]
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
        con.execute(
            "UPDATE model_runs SET metrics = ? WHERE run_id = ?",
            [
                pd.Series(
                    {f"{r.arm}_conversion_lift": r.lift for r in headline.itertuples()}
                ).to_json(),
                run_id,
            ],
        )
    return Measurement(campaign_id, run_id, alpha, arms, effects, money, segments, power, notes)
