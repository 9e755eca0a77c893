"""Wide survey exports (Qualtrics, SurveyMonkey) through a mapping, and bad answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvm._exceptions import ConfigError, IngestError
from cvm.cli import app
from cvm.ingest import load_file
from cvm.ingest.survey_wide import Question, WideMapping, load_survey_wide
from cvm.survey import nps, value_map
from cvm.workspace import Workspace
from handmade import rows, set_config

DATA = Path(__file__).parents[1] / "data" / "survey"
QUALTRICS = """
[sources.surveys]
layout = "wide"
[sources.surveys.wide]
preset = "qualtrics"
survey_id = "wave-1"
[sources.surveys.wide.questions]
Q1_1 = { brand = "us", attribute = "quality" }
Q1_2 = { brand = "Rival", attribute = "quality" }
Q2_1 = { brand = "us", attribute = "price" }
Q2_2 = { brand = "Rival", attribute = "price" }
Q5_1 = { attribute = "quality", importance = true }
Q9 = { brand = "us", attribute = "nps" }
"""


def test_qualtrics_export_with_mapping(workspace: Workspace) -> None:
    ws = set_config(workspace, QUALTRICS)
    try:
        result = load_file(ws, "surveys", DATA / "qualtrics_wide.csv")
        # 5 rated questions (Q5_1 is importance): R_1 answers 5, R_2 4 (Q2_2 blank) and
        # R_3 4 (Q9 blank); R_2's rival quality (12) and R_3's price (x) are refused
        assert (result.rows_read, result.loaded, result.rejected) == (13, 11, 2)
        assert rows(
            ws,
            "SELECT respondent_id, customer_id, brand, attribute, score, importance, survey_id"
            " FROM survey_responses WHERE respondent_id = 'R_1' ORDER BY brand, attribute",
        ) == [
            ("R_1", "C1", "Rival", "price", 5.0, None, "wave-1"),
            ("R_1", "C1", "Rival", "quality", 6.0, 0.6, "wave-1"),
            ("R_1", "C1", "us", "nps", 10.0, None, "wave-1"),
            ("R_1", "C1", "us", "price", 7.0, None, "wave-1"),
            ("R_1", "C1", "us", "quality", 8.0, 0.6, "wave-1"),
        ]
        rejected = rows(ws, "SELECT line, reason FROM rejected_rows ORDER BY line, reason")
        assert rejected == [
            (5, "score out of range: 12 (expected 0..10) in column Q1_2"),
            (6, "non-numeric score: x in column Q2_1"),
        ]
        raw = rows(ws, "SELECT raw FROM rejected_rows WHERE line = 5")[0][0]
        assert raw.startswith("2025-03-01 11:00:00,2025-03-01 11:04:00,R_2,")
        ts = rows(ws, "SELECT min(ts) FROM survey_responses")[0][0]
        assert str(ts) == "2025-03-01 10:05:00"
        again = load_file(ws, "surveys", DATA / "qualtrics_wide.csv")
        assert (again.loaded, again.duplicates) == (0, 11)
        assert nps(ws).loc[0, "respondents"] == 2  # R_3 skipped the question
    finally:
        ws.close()


def test_surveymonkey_export_by_column_names(workspace: Workspace, runner) -> None:
    result = runner.invoke(
        app,
        ["ingest", "surveys", str(DATA / "monkey_wide.csv"), "--wide", "-w", str(workspace.path)],
    )
    assert result.exit_code == 0, result.output
    assert rows(
        workspace,
        "SELECT respondent_id, brand, attribute, score, importance FROM survey_responses"
        " ORDER BY respondent_id, brand, attribute",
    ) == [
        ("101", "rival", "price", 5.0, None),
        ("101", "rival", "quality", 7.0, 0.7),
        ("101", "us", "nps", 9.0, None),
        ("101", "us", "price", 6.0, None),
        ("101", "us", "quality", 8.0, 0.7),
        ("102", "rival", "price", 7.0, None),
        ("102", "us", "nps", 3.0, None),
        ("102", "us", "price", 7.0, None),
        ("102", "us", "quality", 6.0, 0.3),
    ]
    vm = value_map(workspace, n_boot=50)
    assert vm.table().loc["rival", "quality_ratio"] == pytest.approx(7 / 7)  # rival rated once


def test_missing_mapped_column_is_a_clear_error(workspace: Workspace) -> None:
    mapping = WideMapping(
        columns={"respondent_id": "ResponseId"},
        questions={"Q1_1": Question("quality", "us"), "Q7": Question("service", "us")},
        header_rows=2,
    )
    with pytest.raises(IngestError, match=r"missing question column 'Q7' .* columns found: "):
        load_survey_wide(workspace, DATA / "qualtrics_wide.csv", mapping)
    with pytest.raises(IngestError, match="missing column 'RespId' \\(mapped to respondent_id\\)"):
        load_survey_wide(
            workspace, DATA / "qualtrics_wide.csv", mapping, columns={"respondent_id": "RespId"}
        )
    assert rows(workspace, "SELECT count(*) FROM survey_responses") == [(0,)]
    assert rows(workspace, "SELECT count(*) FROM loads") == [(0,)]


def test_long_export_missing_column_and_bad_score(workspace: Workspace, tmp_path: Path) -> None:
    no_score = tmp_path / "no_score.csv"
    no_score.write_text("respondent_id,brand,attribute\nR1,us,quality\n", encoding="utf-8")
    with pytest.raises(IngestError, match="missing required column 'score' for surveys"):
        load_file(workspace, "surveys", no_score)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "respondent_id,brand,attribute,score\nR1,us,quality,8\nR1,rival,quality,-1\n"
        "R2,us,quality,7\nR2,rival,quality,6\n",
        encoding="utf-8",
    )
    result = load_file(workspace, "surveys", bad)
    assert (result.loaded, result.rejected) == (3, 1)
    assert rows(workspace, "SELECT line, reason FROM rejected_rows") == [
        (3, "score out of range: -1 (expected 0..10)")
    ]


def test_bad_wide_settings(workspace: Workspace) -> None:
    # refused when the workspace opens, before any file is read
    config = workspace.path / "cvm.toml"
    before = config.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="layout must be 'long' or 'wide'"):
        set_config(workspace, '[sources.surveys]\nlayout = "sideways"\n')
    config.write_text(before, encoding="utf-8")
    with Workspace.open(workspace.path) as ws, pytest.raises(ConfigError, match="layout must"):
        load_file(ws, "surveys", DATA / "monkey_wide.csv", layout="sideways")
    with Workspace.open(workspace.path) as again, pytest.raises(IngestError, match="no question"):
        mapping = WideMapping(columns={"respondent_id": "ResponseId"})
        load_survey_wide(again, DATA / "qualtrics_wide.csv", mapping)
