"""Survey tools' exports as they come: SurveyMonkey's two header rows, Qualtrics' time zone,
Google Forms' response sheet."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cvm.ingest import load_file
from cvm.workspace import Workspace
from handmade import rows, set_config

FEEDBACK = Path(__file__).parents[1] / "data" / "feedback"


MONKEY = """
[sources.surveys]
layout = "wide"
[sources.surveys.wide.questions]
"How would you rate Acme? | Quality" = { brand = "Acme", attribute = "quality" }
"How would you rate Acme? | Price" = { brand = "Acme", attribute = "price" }
"How would you rate Rival Co? | Quality" = { brand = "Rival Co", attribute = "quality" }
"How would you rate Rival Co? | Price" = { brand = "Rival Co", attribute = "price" }
"How likely are you to recommend Acme to a friend?" = { brand = "Acme", attribute = "nps" }
"""


def test_surveymonkey_two_row_header_is_read_natively(workspace: Workspace) -> None:
    """Defect: the real export loaded only after mapping auto-generated names (column10)."""
    ws = set_config(workspace, MONKEY)
    try:
        r = load_file(ws, "surveys", FEEDBACK / "surveymonkey_expanded.csv")
        # 3 respondents x 5 questions, one blank (Rival quality of the 2nd); 11 out of range
        assert (r.rows_read, r.loaded, r.rejected) == (14, 13, 1)
        assert rows(ws, "SELECT line, reason FROM rejected_rows") == [
            (5, "score out of range: 11 (expected 0..10) in column How would you rate Acme?"
                " | Quality"),
        ]  # fmt: skip
        assert rows(
            ws,
            "SELECT respondent_id, customer_id, ts, brand, attribute, score FROM"
            " survey_responses WHERE respondent_id = '114227854301' ORDER BY brand, attribute",
        ) == [
            ("114227854301", "C1", datetime(2025, 3, 1, 10, 5, 40), "Acme", "nps", 9.0),
            ("114227854301", "C1", datetime(2025, 3, 1, 10, 5, 40), "Acme", "price", 6.0),
            ("114227854301", "C1", datetime(2025, 3, 1, 10, 5, 40), "Acme", "quality", 8.0),
            ("114227854301", "C1", datetime(2025, 3, 1, 10, 5, 40), "Rival Co", "price", 5.0),
            ("114227854301", "C1", datetime(2025, 3, 1, 10, 5, 40), "Rival Co", "quality", 7.0),
        ]
        pm = rows(ws, "SELECT ts FROM survey_responses WHERE respondent_id = '114227854302'")
        assert pm[0] == (datetime(2025, 3, 1, 13, 19, 2),)  # 01:19:02 PM
    finally:
        ws.close()


QUALTRICS = """
[sources.surveys]
layout = "wide"
[sources.surveys.wide]
preset = "qualtrics"
[sources.surveys.wide.questions]
Q1_1 = { brand = "us", attribute = "quality" }
Q9 = { brand = "us", attribute = "nps" }
"""


def test_qualtrics_export_time_zone_is_honoured(workspace: Workspace) -> None:
    """Defect: dates written in the export's zone (America/Denver) were read as UTC."""
    ws = set_config(workspace, QUALTRICS)
    try:
        r = load_file(ws, "surveys", FEEDBACK / "qualtrics_denver.csv")
        assert (r.loaded, r.rejected) == (4, 0)
        got = rows(ws, "SELECT DISTINCT respondent_id, ts FROM survey_responses ORDER BY 1")
        assert got == [
            ("R_1a2b3c", datetime(2025, 3, 1, 17, 5)),  # MST, UTC-7
            ("R_4d5e6f", datetime(2025, 7, 2, 4, 40)),  # MDT, UTC-6, into the next day
        ]
    finally:
        ws.close()


def test_qualtrics_zone_gives_way_to_an_explicit_one(workspace: Workspace) -> None:
    ws = set_config(workspace, QUALTRICS)
    try:
        load_file(ws, "surveys", FEEDBACK / "qualtrics_denver.csv", timezone="UTC")
        got = rows(ws, "SELECT min(ts) FROM survey_responses")
        assert got == [(datetime(2025, 3, 1, 10, 5),)]
    finally:
        ws.close()


def test_google_forms_responses(workspace: Workspace) -> None:
    ws = set_config(workspace, '[sources.surveys]\nlayout = "wide"\n')
    try:
        r = load_file(ws, "surveys", FEEDBACK / "google_forms.csv")
        assert (r.loaded, r.rejected) == (6, 0)
        assert rows(
            ws,
            "SELECT respondent_id, customer_id, ts, brand, attribute, score FROM"
            " survey_responses WHERE brand = 'us' ORDER BY ts, attribute",
        ) == [
            ("ana.silva@example.com", "ana.silva@example.com", datetime(2025, 3, 1, 10, 22, 31),
             "us", "nps", 10.0),
            ("ana.silva@example.com", "ana.silva@example.com", datetime(2025, 3, 1, 10, 22, 31),
             "us", "quality", 9.0),
            ("ben.okafor@example.com", "ben.okafor@example.com", datetime(2025, 3, 2, 18, 5),
             "us", "nps", 4.0),
            ("ben.okafor@example.com", "ben.okafor@example.com", datetime(2025, 3, 2, 18, 5),
             "us", "quality", 5.0),
        ]  # fmt: skip
    finally:
        ws.close()
