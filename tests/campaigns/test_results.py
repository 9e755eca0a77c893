"""Results of a test that ran elsewhere: one file in, lift per arm for any outcome out.

Before, outcomes had to be faked as transactions and events, the control arm had to be named
``control``, costs went through an undocumented JSON field, every imported campaign carried a
"provisional" warning, and the CLI had no lift for visits.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cvm._exceptions import DataError
from cvm.campaigns import import_results, measure_campaign, measure_outcome
from cvm.cli import app


def _results_file(path, n=900, seed=4):
    rng = np.random.default_rng(seed)
    arm = rng.choice(["Holdout", "Coupon", "Banner"], n)
    rate = pd.Series({"Holdout": 0.10, "Coupon": 0.30, "Banner": 0.11})[arm].to_numpy()
    bought = rng.random(n) < rate
    frame = pd.DataFrame(
        {
            "Customer ID": [f"{i:06d}" for i in range(1, n + 1)],
            "group": [f" {a}" for a in arm],  # a leading space, as in real exports
            "bought": np.where(bought, "Yes", "No"),  # a vendor boolean outcome
            "visits": rng.poisson(np.where(arm == "Banner", 3.0, 2.0)).astype(str),
            "age": rng.integers(18, 80, n),
            "plan": rng.choice(["basic", "plus"], n),
        }
    )
    frame.loc[5, "bought"] = "maybe"  # unusable: rejected with its line
    frame.loc[6, "visits"] = ""  # blank: that customer has no visits value
    frame.to_csv(path, index=False)
    return frame


@pytest.fixture
def imported(crm, tmp_path):
    crm.con.execute("INSERT INTO customers (customer_id) VALUES ('000001'), ('000002')")
    frame = _results_file(tmp_path / "results.csv")
    result = import_results(crm, "EXT1", tmp_path / "results.csv", arm_column="group",
                            control_arm="Holdout", outcomes=["bought", "visits"],
                            customer_column="Customer ID", cost_per_contact=0.5,
                            value_per_conversion=20.0)  # fmt: skip
    return crm, frame, result


def test_import_creates_unknown_customers_and_rejects_bad_rows(imported):
    ws, frame, result = imported
    assert result.rows == len(frame) - 1
    assert result.new_customers == len(frame) - 1 - 2  # 000001 and 000002 existed
    assert result.control_arm == "Holdout"
    assert result.covariates == ["age", "plan"]
    assert result.rejected == {"'bought' is not 0/1, yes/no or a number": 1}
    bad = ws.con.execute(
        "SELECT line, reason FROM rejected_rows WHERE kind = 'imported_outcomes'"
    ).fetchall()
    assert bad == [(7, "'bought' is not 0/1, yes/no or a number: maybe")]  # header is line 1
    stored = ws.con.execute(
        "SELECT features FROM campaign_covariates WHERE customer_id = '000003'"
    ).fetchall()
    assert json.loads(stored[0][0]) == {
        "age": str(frame.loc[2, "age"]),
        "plan": frame.loc[2, "plan"],
    }


def test_measure_any_outcome_against_a_control_of_any_name(imported):
    ws, frame, _ = imported
    good = frame.drop(index=5).assign(arm=lambda f: f["group"].str.strip())
    m = measure_outcome(ws, "EXT1", "bought")
    rows = m.arms.set_index("arm")
    assert list(rows.index) == ["Banner", "Coupon"]
    y = (good["bought"] == "Yes").astype(float)
    for arm in ("Banner", "Coupon"):
        t, c = y[good["arm"] == arm], y[good["arm"] == "Holdout"]
        assert rows.loc[arm, "n"] == len(t) and rows.loc[arm, "control_n"] == len(c)
        assert rows.loc[arm, "lift"] == pytest.approx(t.mean() - c.mean())
        assert rows.loc[arm, "incremental_value"] == pytest.approx(
            20 * len(t) * (t.mean() - c.mean())
        )
        assert rows.loc[arm, "cost"] == pytest.approx(0.5 * len(t))
    assert rows.loc["Coupon", "p_adjusted"] < 1e-6 < rows.loc["Banner", "p_adjusted"]
    # Holm: the smaller p doubles (two arms), the larger stays (capped at the running max)
    p = rows["p_value"].sort_values()
    assert rows.loc[p.index[0], "p_adjusted"] == pytest.approx(min(1, 2 * p.iloc[0]))
    with pytest.raises(DataError, match="imported with its results"):
        measure_campaign(ws, "EXT1")  # no transactions to attribute: never zeros
    visits = measure_outcome(ws, "EXT1", "visits")
    assert visits.missing == {frame.loc[6, "group"].strip(): 1}
    v = visits.arms.set_index("arm")
    vis = pd.to_numeric(good["visits"], errors="coerce")
    t, c = vis[good["arm"] == "Banner"].dropna(), vis[good["arm"] == "Holdout"].dropna()
    welch = sps.ttest_ind(t, c, equal_var=False)
    assert v.loc["Banner", "lift"] == pytest.approx(t.mean() - c.mean())
    assert v.loc["Banner", "p_value"] == pytest.approx(welch.pvalue, rel=1e-6)
    assert v.loc["Banner", "method"] == "Welch t"


def test_cli_import_measure_json_and_uplift(crm, runner, tmp_path):
    ws = ["-w", str(crm.path)]
    crm.close()
    _results_file(tmp_path / "results.csv", n=3000)
    results = str(tmp_path / "results.csv")
    loaded = runner.invoke(app, ["campaign", "import-results", "EXT2", results,
                                 "--arm-column", "group", "--control-arm", "Holdout",
                                 "--outcome", "bought", "--outcome", "visits",
                                 "--customer-column", "Customer ID", *ws])  # fmt: skip
    assert loaded.exit_code == 0, loaded.output
    assert "rejected ('bought' is not 0/1, yes/no or a number): 1" in loaded.output
    measured = runner.invoke(app, ["campaign", "measure", "EXT2", "--outcome", "visits",
                                   "--format", "json", *ws])  # fmt: skip
    assert measured.exit_code == 0, measured.output
    rows = json.loads(measured.output)
    assert [r["arm"] for r in rows] == ["Banner", "Coupon"]
    keys = {"arm", "n", "mean", "control_n", "control_mean", "lift", "ci_low", "ci_high",
            "p_value", "p_adjusted"}  # fmt: skip
    assert keys <= set(rows[0])
    assert rows[0]["ci_low"] < rows[0]["lift"] < rows[0]["ci_high"]
    table = runner.invoke(app, ["campaign", "measure", "EXT2", *ws])
    assert table.exit_code == 0 and "provisional" not in table.output
    assert "bought per arm against 'Holdout'" in table.output
    test_file = tmp_path / "new.csv"
    pd.read_csv(tmp_path / "results.csv", dtype=str).head(300).to_csv(test_file, index=False)
    fitted = runner.invoke(app, ["campaign", "uplift", "EXT2", "--outcome", "bought", "--arm",
                                 "Coupon", "--test", str(test_file), *ws])  # fmt: skip
    assert fitted.exit_code == 0, fitted.output
    assert "Coupon vs control" in fitted.output and "scikit-uplift" in fitted.output
    scores = pd.read_csv(tmp_path / "new_uplift.csv", dtype={"customer_id": str})
    assert len(scores) == 300 and set(scores["arm"]) == {"Coupon"}
    assert scores["customer_id"].iloc[0] == "000001"
    missing = runner.invoke(app, ["campaign", "import-results", "EXT3", results, "--arm-column",
                                  "group", "--control-arm", "control", *ws])  # fmt: skip
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    assert "--outcome" in missing.output


def test_measure_visits_of_a_built_campaign(past_campaign):
    ws, _ = past_campaign
    measure_campaign(ws, "CMP0001", n_boot=100)  # attributes the outcomes
    m = measure_outcome(ws, "CMP0001", "visits")
    raw = ws.con.execute(
        "SELECT arm, avg(visits), count(*) FROM campaign_outcomes WHERE campaign_id = 'CMP0001'"
        " GROUP BY arm"
    ).fetchall()
    means = {a: (float(v), int(n)) for a, v, n in raw}
    row = m.arms.iloc[0]
    assert row["mean"] == pytest.approx(means[row["arm"]][0])
    assert row["control_mean"] == pytest.approx(means["control"][0])
    assert row["control_n"] == means["control"][1]
