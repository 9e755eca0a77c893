"""Customer attributes become typed, bounded-width features (numeric stays numeric, ids out).

Before, every text attribute was one-hot encoded: a numeric attribute with 30,000 distinct
values became 30,000 columns (12.6 GiB for a real promotion test). The width must be the number
of attributes, whatever their cardinality.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cvm._exceptions import NotFittedError
from cvm.campaigns import campaign_features
from cvm.features.attributes import attribute_features
from cvm.models.attributes import AttributeEncoder

N = 100_000


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    balance = rng.choice(np.round(rng.gamma(2.0, 500.0, 30_000), 2), N)  # 30k distinct values
    city = rng.integers(0, 50_000, N)
    return pd.DataFrame(
        {
            "balance": [f"{v:.2f}" for v in balance],  # numbers exported as text
            "city": [f"city_{v:05d}" for v in city],  # 50k distinct strings
            "member_no": [f"{i:08d}" for i in range(N)],  # numeric: numbers stay numbers
            "token": [f"t{i}x" for i in range(N)],  # unique per customer: id-like text
            "vip": rng.choice(["Yes", "No", None], N),  # a vendor boolean with gaps
            "plan": rng.choice(["basic", "plus", "pro"], N),
            "crm_id": [f"{i}" for i in range(N)],
        }
    )


def test_width_is_bounded_and_numbers_stay_numbers(raw):
    distinct = {c: raw[c].nunique() for c in ("balance", "city")}
    assert distinct["balance"] > 25_000 and distinct["city"] > 40_000  # independent check
    enc = AttributeEncoder(max_categories=32)
    X = enc.fit_transform(raw)
    # one column per kept attribute: never one per value
    assert X.shape == (N, 5)
    assert enc.kinds_ == {
        "balance": "numeric",
        "city": "categorical",
        "member_no": "numeric",
        "vip": "boolean",
        "plan": "categorical",
    }
    np.testing.assert_allclose(
        X["attr_balance"].to_numpy(), raw["balance"].astype(float), rtol=1e-6
    )
    # 50k strings: 31 most frequent kept, the rest share the "other" code 31
    codes = X["attr_city"].to_numpy()
    assert codes.max() == 31 and len(np.unique(codes)) == 32
    counts = raw["city"].value_counts()
    top = sorted(counts.index, key=lambda v: (-counts[v], v))[:31]  # most frequent, ties by value
    assert (codes[raw["city"].isin(top).to_numpy()] < 31).all()
    assert (codes[~raw["city"].isin(top).to_numpy()] == 31).all()
    vip = raw["vip"].to_numpy()
    assert np.isnan(X["attr_vip"].to_numpy()[pd.isna(vip)]).all()
    assert (X["attr_vip"].to_numpy()[vip == "Yes"] == 1).all()
    assert set(enc.excluded_) == {"token", "crm_id"}
    assert "id-like" in enc.excluded_["token"] and "identifier" in enc.excluded_["crm_id"]
    assert X.dtypes.eq(np.float32).all()


def test_scoring_rows_reuse_the_fitted_types(raw):
    enc = AttributeEncoder(max_categories=4).fit(raw.head(1000))
    new = pd.DataFrame({"plan": ["basic", "enterprise", None], "balance": ["12.5", "oops", ""]})
    X = enc.transform(new)
    assert list(X.columns) == enc.feature_names_
    plan = X["attr_plan"].to_numpy()
    assert plan[0] == enc.categories_["plan"].index("basic")
    assert plan[1] == len(enc.categories_["plan"])  # unseen: "other"
    assert np.isnan(plan[2])
    assert X["attr_balance"].iloc[0] == pytest.approx(12.5)
    assert np.isnan(X["attr_balance"].iloc[1]) and np.isnan(X["attr_balance"].iloc[2])
    assert "city" in enc.excluded_  # 1,000 distinct in 1,000 rows: id-like at this size
    assert X["attr_vip"].isna().all()  # a column absent from the new rows: missing
    with pytest.raises(NotFittedError):
        AttributeEncoder().transform(new)


def test_workspace_features_are_bounded_for_uplift(workspace):
    """Through the workspace: JSON attributes with a numeric value unique to nearly everyone."""
    n = 6000
    rng = np.random.default_rng(0)
    rows = [
        (
            f"{i:06d}",
            json.dumps(
                {
                    "income": round(float(rng.gamma(3.0, 9000.0)), 2),  # a JSON number
                    "segment_code": f"S{rng.integers(0, 4000)}",
                    "newsletter": bool(rng.random() < 0.5),
                    "first_name": f"Ann{i}",
                }
            ),
        )
        for i in range(n)
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "attributes"])  # noqa: F841 - read by SQL
    workspace.con.execute(
        "INSERT INTO customers (customer_id, first_seen, attributes)"
        " SELECT customer_id, TIMESTAMP '2024-01-01', attributes FROM frame"
    )
    X = campaign_features(workspace, pd.Timestamp("2025-01-01"))
    attrs = [c for c in X.columns if c.startswith("attr_")]
    assert sorted(attrs) == ["attr_income", "attr_newsletter", "attr_segment_code"]
    assert len(X.columns) < 20 and len(X) == n
    incomes = [json.loads(doc)["income"] for _, doc in rows]
    np.testing.assert_allclose(X["attr_income"].to_numpy(), incomes, rtol=1e-6)
    only, enc = attribute_features(workspace, ["000003", "000001"])
    assert list(only.index) == ["000003", "000001"]
    assert enc.excluded_ == {"first_name": "an identifier or contact detail (by its name)"}
