"""Review exports as a CSAT source: stars 1-5 as answers, text kept, reviewers linked."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from tabular_helpers import rejected, rows

from cvm._exceptions import IngestError
from cvm.cli import app
from cvm.ingest import load_file
from cvm.ingest.reviews import load_reviews
from cvm.survey import csat
from cvm.workspace import Workspace

FEEDBACK = Path(__file__).parents[1] / "data" / "feedback"
VENDORS = Path(__file__).parents[1] / "data" / "vendors"


def test_trustpilot_export_loads_reviews_and_csat_answers(workspace: Workspace) -> None:
    """Defect: a Trustpilot export failed with "missing required column 'brand'"."""
    load_file(
        workspace, "customers", VENDORS / "salesforce_contacts.csv", profile="salesforce-contacts"
    )
    r = load_reviews(workspace, FEEDBACK / "trustpilot_reviews.csv")
    assert (r.rows_read, r.loaded, r.rejected) == (4, 3, 1)
    assert rejected(workspace)[0][0] == 5 and rejected(workspace)[0][2] == "stars not 1-5: 7"
    assert rows(
        workspace,
        "SELECT review_id, customer_id, ts, brand, stars, title, reply FROM reviews ORDER BY ts",
    ) == [
        (
            "64f1c2a9e1b2c3d4e5f60001",
            "0035g00000AbCdEAA1",
            datetime(2024, 3, 2, 14, 21, 5),
            "Example Shop",
            5,
            "Fast delivery, great mugs",
            "Thank you Ana!",
        ),
        (
            "64f1c2a9e1b2c3d4e5f60002",
            None,
            datetime(2024, 3, 5, 8, 2, 44),
            "Example Shop",
            1,
            "Broken on arrival",
            None,
        ),
        (
            "64f1c2a9e1b2c3d4e5f60003",
            None,
            datetime(2024, 3, 6, 19, 45),
            "Example Shop",
            4,
            "OK",
            None,
        ),
    ]
    body = rows(workspace, "SELECT body FROM reviews WHERE stars = 1")
    assert body == [("The handle was broken, and support took a week to answer.",)]
    answers = rows(
        workspace, "SELECT respondent_id, attribute, score FROM survey_responses ORDER BY 1"
    )
    assert answers == [
        ("trustpilot:64f1c2a9e1b2c3d4e5f60001", "csat", 5.0),
        ("trustpilot:64f1c2a9e1b2c3d4e5f60002", "csat", 1.0),
        ("trustpilot:64f1c2a9e1b2c3d4e5f60003", "csat", 4.0),
    ]
    table = csat(workspace)
    shop = table[(table["brand"] == "Example Shop")].iloc[0]
    assert shop["csat"] == pytest.approx(100 * 2 / 3)  # 4 and 5 stars are satisfied
    again = load_reviews(workspace, FEEDBACK / "trustpilot_reviews.csv")
    assert (again.loaded, again.duplicates) == (0, 3)


def test_google_play_report_in_utf16(workspace: Workspace) -> None:
    r = load_reviews(workspace, FEEDBACK / "google_play_reviews.csv")
    assert (r.loaded, r.rejected) == (2, 0)
    assert rows(workspace, "SELECT brand, stars, body, language, ts FROM reviews ORDER BY ts") == [
        (
            "com.example.shop",
            4,
            "Nice app but slow checkout",
            "en",
            datetime(2024, 3, 1, 10, 15, 30),
        ),
        ("com.example.shop", 2, "Plante au paiement", "fr", datetime(2024, 3, 2, 21, 0)),
    ]
    assert rows(workspace, "SELECT DISTINCT survey_id FROM survey_responses") == [("google_play",)]


def test_app_store_reviews_and_a_brand_given(workspace: Workspace, tmp_path: Path) -> None:
    f = tmp_path / "app_store.csv"
    f.write_text(
        "id,rating,title,body,reviewerNickname,createdDate,territory\n"
        "00000001-aaaa,5,Love it,Best shop app,mugfan,2024-03-01T10:00:00-07:00,USA\n"
        "00000002-bbbb,3,Meh,Crashes sometimes,quietuser,2024-03-02T11:00:00-07:00,GBR\n"
    )
    r = load_reviews(workspace, f, brand="Example Shop iOS")
    assert r.loaded == 2
    assert rows(workspace, "SELECT review_id, brand, stars, ts FROM reviews ORDER BY 1") == [
        ("00000001-aaaa", "Example Shop iOS", 5, datetime(2024, 3, 1, 17, 0)),
        ("00000002-bbbb", "Example Shop iOS", 3, datetime(2024, 3, 2, 18, 0)),
    ]


def test_an_unknown_review_file_is_one_line(workspace: Workspace, tmp_path: Path, runner) -> None:
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(IngestError, match="not a Trustpilot, Google Play or App Store"):
        load_reviews(workspace, f)
    ws = ["-w", str(workspace.path)]
    workspace.close()
    out = runner.invoke(app, ["ingest", "reviews", str(FEEDBACK / "trustpilot_reviews.csv"), *ws])
    assert out.exit_code == 0, out.output
    assert "stars not 1-5" in out.output
