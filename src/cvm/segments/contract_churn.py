"""Contract churn: will a customer's running contracts all have ended within the horizon?

For a subscription business (telecom, SaaS) churn is a contract that ends, not a purchase that
fails to come. Rows are the customers with a contract running at a cutoff; features are the
contract history (tenure, days on the current contract, contracts so far, monthly amount, plan)
and the CRM attributes; the label is "no contract still running ``horizon`` days later". The
same time split as purchase churn trains and validates it, and a plain logistic regression on
the same rows is the baseline it must beat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm._dates import parse_day
from cvm._exceptions import DataError
from cvm._progress import Progress
from cvm.clv.contracts import last_contract_day
from cvm.engines import sql_file
from cvm.models.churn import ChurnClassifier
from cvm.segments.churn_result import ChurnTraining, comparison_note, dropped_note, validation

if TYPE_CHECKING:
    from cvm.workspace import Workspace

NUMERIC = ("tenure_days", "contract_days", "contracts", "monthly_amount")
MAX_LEVELS = 20  # categories kept per attribute (the rest is "other")
ID_LIKE_SHARE = 0.5  # a text attribute with more distinct values than this share is an id


@dataclass
class ContractEncoding:
    """How raw rows become a feature matrix: the same at training and at scoring."""

    numeric: list[str]
    levels: dict[str, list[str]]
    excluded: dict[str, str] = field(default_factory=dict)
    capped: list[str] = field(default_factory=list)  # categories with an "other" column

    def matrix(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Numeric columns as they are, categories one-hot on the training levels."""
        missing = pd.Series(np.nan, index=rows.index)
        out: dict[str, Any] = {
            c: pd.to_numeric(rows.get(c, missing), errors="coerce") for c in self.numeric
        }
        for col, levels in self.levels.items():
            values = rows[col].astype("string") if col in rows else pd.Series(pd.NA, rows.index)
            for level in levels:
                out[f"{col}={level}"] = (values == level).fillna(False).astype(float)
            if col in self.capped:
                out[f"{col}=other"] = (~values.isin(levels) & values.notna()).astype(float)
        return pd.DataFrame(out, index=rows.index).astype(np.float32)


def contract_rows(ws: Workspace, cutoff: date, horizon_days: int) -> pd.DataFrame:
    """One row per customer with a contract running at ``cutoff``: features, attributes, label."""
    frame = ws.engine.frame(
        sql_file(__package__, "contract_churn.sql"),
        {"cutoff": cutoff, "end": cutoff + timedelta(days=horizon_days)},
    )
    frame = frame.set_index("customer_id")
    attributes = pd.DataFrame(
        [json.loads(a) if isinstance(a, str) else {} for a in frame.pop("attributes")],
        index=frame.index,
    )
    clash = [c for c in attributes.columns if c in frame.columns]
    attributes = attributes.rename(columns={c: f"attr_{c}" for c in clash})
    return frame.join(attributes)


def learn_encoding(rows: pd.DataFrame) -> ContractEncoding:
    """Numeric attributes stay numeric, text ones become capped categories, id-like are left out."""
    numeric = [c for c in NUMERIC if c in rows]
    levels: dict[str, list[str]] = {"plan": _top_levels(rows["plan"])}
    excluded: dict[str, str] = {}
    capped = ["plan"] if rows["plan"].nunique() > MAX_LEVELS else []
    for col in rows.columns:
        if col in numeric or col in ("plan", "churned"):
            continue
        values = rows[col]
        present = values.dropna()
        if present.empty:
            excluded[col] = "all missing"
            continue
        as_number = pd.to_numeric(present, errors="coerce")
        if as_number.notna().all() and not present.map(lambda v: isinstance(v, bool)).any():
            numeric.append(col)
        elif present.astype(str).nunique() > ID_LIKE_SHARE * len(rows):
            excluded[col] = "identifier-like text (distinct for most customers)"
        else:
            levels[col] = _top_levels(values)
            if present.astype(str).nunique() > MAX_LEVELS:
                capped.append(col)
    return ContractEncoding(numeric, levels, excluded, capped)


def _top_levels(values: pd.Series) -> list[str]:
    counts = values.dropna().astype(str).value_counts()
    return [str(v) for v in counts.index[:MAX_LEVELS]]


def logistic_baseline(X_train: pd.DataFrame, y_train: Any) -> Any:
    """A plain logistic regression: median-imputed, standardised features, default penalty."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(max_iter=2000),
    )
    return model.fit(X_train.to_numpy(dtype=float), np.asarray(y_train, dtype=bool))


def require_rows(rows: pd.DataFrame, cutoff: date, horizon: int) -> None:
    if len(rows) < 200:
        raise DataError(
            f"only {len(rows)} customers with a contract running on {cutoff} (the training"
            f" cutoff, as_of minus twice the {horizon}-day horizon): too few to train a contract"
            " churn model"
        )


def train_contracts(
    ws: Workspace,
    as_of: date | str | None,
    horizon: int,
    model: ChurnClassifier | None,
    progress: Progress,
) -> ChurnTraining:
    """Contract churn: same time split; baseline a plain logistic regression on the same rows."""
    end = parse_day(as_of, "as_of") if as_of is not None else last_contract_day(ws)
    valid_cutoff = end - timedelta(days=horizon)
    train_cutoff = valid_cutoff - timedelta(days=horizon)
    progress(0, 4, f"contracts running on {train_cutoff}")
    train = contract_rows(ws, train_cutoff, horizon)
    require_rows(train, train_cutoff, horizon)
    encoding = learn_encoding(train)
    X_train, y_train = encoding.matrix(train), train["churned"].to_numpy(dtype=bool)
    progress(1, 4, "fitting the churn model")
    fitted = (model or ChurnClassifier()).fit(X_train, y_train)
    fitted.contract_encoding_ = encoding  # type: ignore[attr-defined]
    progress(2, 4, f"validating on contracts running on {valid_cutoff}")
    valid = contract_rows(ws, valid_cutoff, horizon)
    if valid.empty or valid["churned"].nunique() < 2:
        raise DataError(
            f"no contract running on {valid_cutoff} both ended and kept within {horizon} days:"
            " cannot validate (use a later --as-of or a shorter --horizon)"
        )
    X_valid, y_valid = encoding.matrix(valid), valid["churned"].to_numpy(dtype=bool)
    risk = fitted.predict_proba(X_valid)
    baseline = logistic_baseline(X_train, y_train)
    baseline_risk = baseline.predict_proba(X_valid.to_numpy(dtype=float))[:, 1]
    progress(3, 4, "evaluating")
    result = ChurnTraining(
        model=fitted,
        horizon_days=horizon,
        train_cutoff=train_cutoff,
        valid_cutoff=valid_cutoff,
        channels=[],
        n_train=len(X_train),
        **validation(y_valid, risk, baseline_risk),
        target="contracts",
        baseline_name="logistic regression",
    )
    result.notes.append(comparison_note(result))
    dropped = {**encoding.excluded, **fitted.dropped_features_}
    if dropped:
        result.notes.append(dropped_note(dropped))
    progress(4, 4, "done")
    return result
