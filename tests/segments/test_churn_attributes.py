"""Churn learns from customer attributes through the shared typed builder, width bounded.

Customer attributes arrive as text. A numeric one with a value per customer must stay one
numeric column (not one column per value), a many-valued text one must be capped, and names,
e-mails and ids must be left out and said.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from cvm.demo import run_demo
from cvm.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("churn_attrs") / "ws"
    run_demo(path, n_customers=600, seed=2)
    workspace = Workspace.open(path)
    ids = workspace.con.execute("SELECT customer_id FROM customers ORDER BY 1").df()["customer_id"]
    rng = np.random.default_rng(0)
    extra = pd.DataFrame(  # noqa: F841 - read by SQL
        {
            "customer_id": ids,
            "income": [f"{v:.2f}" for v in rng.gamma(3.0, 9000.0, len(ids))],  # unique each
            "postcode_area": [f"PA{v}" for v in rng.integers(0, 400, len(ids))],
            "email_address": [f"u{i}@example.com" for i in range(len(ids))],
        }
    )
    workspace.con.execute(
        "UPDATE customers SET attributes = json_merge_patch(coalesce(attributes, '{}'),"
        " json_object('income', e.income, 'postcode_area', e.postcode_area,"
        " 'email_address', e.email_address)) FROM extra e"
        " WHERE customers.customer_id = e.customer_id"
    )
    yield workspace
    workspace.close()


def test_attributes_enter_churn_as_one_column_each(ws: Workspace) -> None:
    from cvm.segments.churn import latest_churn_model, save_churn, train_churn

    result = train_churn(ws)
    names = result.model.feature_names_
    attrs = [n for n in names if n.startswith("attr_")]
    assert sorted(attrs) == ["attr_age_band", "attr_income", "attr_postcode_area"]
    assert result.attributes is not None
    assert result.attributes.kinds_["income"] == "numeric"
    assert len(result.attributes.categories_["postcode_area"]) == 31  # top 31, the rest "other"
    assert any("'email_address' not used" in n for n in result.notes)
    save_churn(ws, result)
    found = latest_churn_model(ws)
    assert found is not None and found[3] is not None
    assert found[3].kinds_ == result.attributes.kinds_
