"""NPS and CSAT on known answers; NPS against CLV; referrals by NPS class."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvm._exceptions import DataError
from cvm.ingest import load_file
from cvm.survey import csat, net_promoter, nps, nps_by_value, nps_class, referrals, satisfaction
from cvm.workspace import Workspace

Z95 = 1.959963984540054


def test_nps_of_known_answers() -> None:
    scores = [10, 9, 9, 8, 7, 6, 0, 3, 10, 10]  # 5 promoters, 2 passives, 3 detractors
    out = net_promoter(scores)
    assert (out["promoters"], out["passives"], out["detractors"]) == pytest.approx((0.5, 0.2, 0.3))
    assert out["nps"] == pytest.approx(20.0)
    se = np.sqrt((0.5 + 0.3 - 0.2**2) / 10)
    assert out["lower"] == pytest.approx(100 * (0.2 - Z95 * se))
    assert out["upper"] == pytest.approx(100 * (0.2 + Z95 * se))
    assert list(nps_class([9, 8, 7, 6, 10, 0])) == [
        "promoter", "passive", "passive", "detractor", "promoter", "detractor",
    ]  # fmt: skip


def test_nps_extremes_and_empty() -> None:
    assert net_promoter([10, 9, 10])["nps"] == pytest.approx(100.0)
    assert net_promoter([10, 9, 10])["upper"] == pytest.approx(100.0)
    assert net_promoter([0, 6])["nps"] == pytest.approx(-100.0)
    with pytest.raises(DataError, match="no NPS answers"):
        net_promoter([])


def test_csat_of_known_answers() -> None:
    out = satisfaction([5, 4, 3, 5, 2], satisfied_min=4)
    assert out["csat"] == pytest.approx(60.0)
    assert out["mean_score"] == pytest.approx(3.8)
    assert out["lower"] < 60 < out["upper"]


def _write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "answers.csv"
    header = "respondent_id,customer_id,brand,attribute,score,importance"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_nps_and_csat_on_workspace_by_group(workspace: Workspace, tmp_path: Path) -> None:
    rows = [
        "R1,C1,us,nps,10,", "R2,C2,us,nps,9,", "R3,C3,us,nps,3,", "R4,,us,nps,8,",
        "R1,C1,us,csat,5,", "R2,C2,us,csat,2,", "R3,C3,us,csat,4,",
    ]  # fmt: skip
    load_file(workspace, "surveys", _write(tmp_path, rows))
    table = nps(workspace, by=pd.Series({"C1": "gold", "C2": "gold", "C3": "silver"}))
    got = table.set_index("group")
    assert got.loc["all", "respondents"] == 4
    assert got.loc["all", "nps"] == pytest.approx(100 * (2 / 4 - 1 / 4))
    assert got.loc["gold", "nps"] == pytest.approx(100.0)
    assert got.loc["silver", "nps"] == pytest.approx(-100.0)
    sat = csat(workspace).set_index("group")
    assert sat.loc["all", "satisfied_min"] == 4.0  # answers on a 1-5 scale
    assert sat.loc["all", "csat"] == pytest.approx(100 * 2 / 3)


def test_nps_by_value_and_referrals(workspace: Workspace, tmp_path: Path) -> None:
    rows = ["R1,C1,us,nps,10,", "R2,C2,us,nps,9,", "R3,C3,us,nps,2,", "R4,C4,us,nps,7,"]
    load_file(workspace, "surveys", _write(tmp_path, rows))
    answers = pd.DataFrame(
        {
            "respondent": ["R1", "R2", "R3", "R4"],
            "customer_id": ["C1", "C2", "C3", "C4"],
            "brand": "us",
            "attribute": "nps",
            "score": [10.0, 9, 2, 7],
        }
    )
    scores = pd.DataFrame(
        {"customer_id": ["C1", "C2", "C3", "C4"], "clv": [100.0, 60, 10, 30],
         "p_alive": [0.9, 0.7, 0.2, 0.5]}
    )  # fmt: skip
    table = nps_by_value(answers, scores, "us")
    assert table.loc["promoter", "mean_clv"] == pytest.approx(80.0)
    assert table.loc["promoter", "churn_risk"] == pytest.approx(0.2)
    assert table.loc["detractor", "mean_clv"] == pytest.approx(10.0)
    assert table.loc["all", "respondents"] == 4
    assert table.loc["all", "spearman_nps_clv"] == pytest.approx(1.0)
    assert referrals(workspace).empty  # no referral events tracked
    workspace.con.execute(
        "INSERT INTO events (message_id, type, customer_id, ts, event) VALUES"
        " ('m1', 'track', 'C1', '2024-01-01', 'Referral Sent'),"
        " ('m2', 'track', 'C1', '2024-01-02', 'Referral Sent'),"
        " ('m3', 'track', 'C3', '2024-01-02', 'referral sent'),"
        " ('m4', 'track', 'C2', '2024-01-02', 'Product Viewed')"
    )
    refs = referrals(workspace)
    assert refs.loc["promoter"].to_dict() == pytest.approx(
        {"respondents": 2, "referrers": 1, "referrals": 2, "referrals_per_respondent": 1.0}
    )
    assert refs.loc["detractor", "referrals"] == 1
    assert refs.loc["passive", "referrals"] == 0
