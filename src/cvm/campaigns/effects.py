"""A randomized test's arms compared with its control: lifts, money and power.

Pure functions of one row per customer (``arm``, ``converted``, ``revenue``, ...), shared by a
fresh measurement (:func:`cvm.campaigns.measure_campaign`) and by a reading of the outcomes it
stored (:func:`cvm.campaigns.measure.stored_results`), so both give the same numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from cvm._exceptions import DataError
from cvm.campaigns import stats
from cvm.settings import CampaignSettings

if TYPE_CHECKING:
    from cvm.campaigns.design import Campaign

__all__ = [
    "NO_COST",
    "arm_table",
    "compare_arms",
    "money_table",
    "power_check",
    "segment_table",
]

# Why a treatment arm has no ROI (NaN in the frames, null in JSON).
NO_COST = "no cost: ROI is undefined (give --cost-per-contact, a fixed cost or an offer cost)"


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

    Examples
    --------
    >>> frame = pd.DataFrame(
    ...     {
    ...         "arm": ["control"] * 4 + ["treatment"] * 4,
    ...         "converted": [0, 1, 0, 0, 1, 1, 0, 1],
    ...         "revenue": [0.0, 10.0, 0.0, 0.0, 12.0, 8.0, 0.0, 10.0],
    ...     }
    ... )
    >>> effects = compare_arms(frame, margin_rate=0.3, bootstrap=False)
    >>> effects[["metric", "lift"]].to_records(index=False).tolist()
    [('conversion', 0.5), ('revenue', 5.0), ('margin', 1.5)]
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


def arm_table(frame: pd.DataFrame, margin_rate: float) -> pd.DataFrame:
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


def segment_table(frame: pd.DataFrame, alpha: float) -> pd.DataFrame:
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


def money_table(
    c: Campaign,
    arms: pd.DataFrame,
    effects: pd.DataFrame,
    margin_rate: float,
    per_contact: float,
) -> pd.DataFrame:
    """Incremental conversions, revenue and margin, cost and ROI per treatment arm.

    ``per_contact`` is the cost of one contact; the campaign's fixed cost is shared by the
    arms in proportion to their customers.
    """
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


def power_check(
    c: Campaign,
    arms: pd.DataFrame,
    effects: pd.DataFrame,
    alpha: float,
    target_relative_lift: float,
) -> tuple[dict[str, Any], list[str]]:
    """The power the test had for the target lift, and a note when it was under-powered.

    The target is the campaign's ``target_lift``, else ``target_relative_lift`` x baseline.
    """
    table = cast(dict[Any, dict[str, Any]], arms.to_dict("index"))
    baseline = float(table["control"]["conversion_rate"])
    n0 = int(table["control"]["customers"])
    treat = [a for a in table if a != "control"]
    n1 = int(min(table[a]["customers"] for a in treat))
    level = alpha / len(treat)
    mde = stats.minimum_detectable_lift(baseline, n0, n1, alpha=level)
    target = c.target_lift if c.target_lift is not None else target_relative_lift * baseline
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
