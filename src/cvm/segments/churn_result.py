"""What a churn training made: the model, its metrics against the baseline, and the notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from cvm.models.churn import ChurnClassifier, calibration_table, churn_metrics

if TYPE_CHECKING:
    from cvm.models.attributes import AttributeEncoder

__all__ = ["ChurnTraining", "churn_definition", "comparison_note", "dropped_note", "validation"]


@dataclass
class ChurnTraining:
    """A trained and validated churn model with its evaluation against P(alive)."""

    model: ChurnClassifier
    horizon_days: int
    train_cutoff: date
    valid_cutoff: date
    channels: list[str]
    metrics: dict[str, float]
    baseline: dict[str, float]
    calibration: pd.DataFrame
    baseline_calibration: pd.DataFrame
    n_train: int
    run_id: str | None = None
    notes: list[str] = field(default_factory=list)
    attributes: AttributeEncoder | None = None
    target: str = "purchases"
    baseline_name: str = "1 - P(alive)"

    @property
    def definition(self) -> str:
        """What a churn risk of this model means, in one sentence for the page."""
        return churn_definition(self.target, self.horizon_days)


def validation(y_valid: Any, risk: Any, baseline_risk: Any) -> dict[str, Any]:
    """The model's and the baseline's metrics and calibration on the validation rows."""
    return {
        "metrics": churn_metrics(y_valid, risk),
        "baseline": churn_metrics(y_valid, baseline_risk),
        "calibration": calibration_table(y_valid, risk),
        "baseline_calibration": calibration_table(y_valid, baseline_risk),
    }


def churn_definition(target: str, horizon_days: int) -> str:
    """What a churn risk means, in one sentence for the page.

    >>> churn_definition("purchases", 90)
    'churn risk = probability of no purchase in the next 90 days (not a contract cancellation)'
    """
    if target == "contracts":
        return (
            f"contract churn risk = probability that every contract the customer has running"
            f" today has ended within {horizon_days} days"
        )
    return (
        f"churn risk = probability of no purchase in the next {horizon_days} days (not a"
        " contract cancellation)"
    )


def comparison_note(result: ChurnTraining) -> str:
    """One sentence: does the model beat its baseline on ROC-AUC and Brier, and by how much."""
    m, b = result.metrics, result.baseline
    gap = m["roc_auc"] - b["roc_auc"]
    verdict = "beats" if gap > 0 else "does not beat"
    baseline = (
        "a plain logistic regression on the same split"
        if result.target == "contracts"
        else "the P(alive) baseline"
    )
    return (
        f"the churn model {verdict} {baseline} on the"
        f" {result.valid_cutoff} holdout: ROC-AUC {m['roc_auc']:.3f} vs {b['roc_auc']:.3f}"
        f" ({gap:+.3f}), Brier {m['brier']:.3f} vs {b['brier']:.3f},"
        f" top-decile lift {m['lift_top_decile']:.2f} vs {b['lift_top_decile']:.2f}"
    )


def dropped_note(dropped: dict[str, str]) -> str:
    """One sentence listing the features left out and why.

    >>> dropped_note({"share_web": "constant"})
    '1 feature(s) with nothing to learn from left out: share_web (constant)'
    """
    listed = ", ".join(f"{name} ({why})" for name, why in dropped.items())
    return f"{len(dropped)} feature(s) with nothing to learn from left out: {listed}"
