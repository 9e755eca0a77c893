from __future__ import annotations

from tabular_helpers import DATA, rejected, rows, set_config

from cvm.ingest import load_file
from cvm.workspace import Workspace


def test_survey_answers_range_and_nps(workspace: Workspace) -> None:
    result = load_file(workspace, "surveys", DATA / "surveys.csv")
    assert rows(
        workspace,
        "SELECT respondent_id, brand, attribute, score, importance"
        " FROM survey_responses ORDER BY 1, 2, 3",
    ) == [
        ("R1", "us", "nps", 9.0, None),
        ("R1", "us", "quality", 8.0, 0.4),
        ("R2", "rival", "price", 6.0, 0.6),
    ]
    assert rejected(workspace) == [
        (4, "W1,R1,C1,rival,quality,11,0.4,2024-05-01", "score out of range: 11 (expected 0..10)"),
        (5, "W1,R2,,us,price,x,0.6,2024-05-02", "non-numeric score: x"),
        (6, "W1,,,us,price,5,0.6,2024-05-02", "missing respondent id"),
    ]
    again = load_file(workspace, "surveys", DATA / "surveys.csv")
    assert (result.loaded, again.loaded, again.duplicates) == (3, 0, 3)


def test_score_range_from_config(workspace: Workspace) -> None:
    ws = set_config(workspace, "[sources.surveys]\nscore_min = 1\nscore_max = 5\n")
    try:
        load_file(ws, "surveys", DATA / "surveys.csv")
        reasons = [r[2] for r in rejected(ws)]
        assert reasons.count("score out of range: 8 (expected 1..5)") == 1
        assert reasons.count("score out of range: 9 (expected 1..5)") == 1
        assert rows(ws, "SELECT count(*) FROM survey_responses") == [(0,)]
    finally:
        ws.close()
