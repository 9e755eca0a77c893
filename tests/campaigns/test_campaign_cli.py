"""`cvm campaign ...` end to end on a small workspace, and its errors as one line."""

from __future__ import annotations

import pandas as pd

from cvm.cli import app


def test_create_build_export_measure_list(crm, runner, tmp_path):
    ws = ["-w", str(crm.path)]
    crm.close()
    ids = tmp_path / "ids.csv"
    pd.DataFrame({"customer_id": [f"K{i:05d}" for i in range(1, 401)]}).to_csv(ids, index=False)
    made = runner.invoke(app, ["campaign", "create", "SPRING", "--starts", "2025-03-01",
                               "--ends", "2025-03-07", "--audience", str(ids), "--control",
                               "0.25", "--arm", "ten_off", "--arm", "free_ship=1",
                               "--cost-per-contact", "0.1", *ws])  # fmt: skip
    assert made.exit_code == 0, made.output
    built = runner.invoke(app, ["campaign", "build", "SPRING", *ws])
    assert built.exit_code == 0, built.output
    assert "excluded (no_consent): 40" in built.output
    out = tmp_path / "list.csv"
    exported = runner.invoke(app, ["campaign", "export", "SPRING", "--out", str(out), *ws])
    assert exported.exit_code == 0, exported.output
    frame = pd.read_csv(out)
    assert 0.7 * 360 < len(frame) < 0.8 * 360
    measured = runner.invoke(app, ["campaign", "measure", "SPRING", "--charts",
                                   str(tmp_path / "charts"), *ws])  # fmt: skip
    assert measured.exit_code == 0, measured.output
    assert "under-powered" in measured.output
    assert (tmp_path / "charts" / "SPRING_lift.html").exists()
    listed = runner.invoke(app, ["campaign", "list", *ws])
    assert listed.exit_code == 0 and "SPRING" in listed.output


def test_plan_reports_the_textbook_sizes(runner):
    result = runner.invoke(app, ["campaign", "plan", "--baseline", "0.10", "--lift", "0.05",
                                 "--control", "0.5"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "686 controls and 686 treated" in result.output


def test_errors_are_one_line(crm, runner):
    ws = ["-w", str(crm.path)]
    crm.close()
    bad = runner.invoke(app, ["campaign", "create", "X", "--starts", "2025-03-01", "--ends",
                              "2025-03-02", "--control", "1.5", *ws])  # fmt: skip
    assert bad.exit_code == 1
    assert "control fraction must be within (0, 1)" in bad.output
    assert "Traceback" not in bad.output
    missing = runner.invoke(app, ["campaign", "measure", "NOPE", *ws])
    assert missing.exit_code == 1 and "unknown campaign 'NOPE'" in missing.output


def test_import_and_uplift_from_the_command_line(past_campaign, runner, tmp_path):
    ws, info = past_campaign
    campaigns = pd.read_csv(info["files"]["campaigns"]).assign(campaign_id="CLI01", offer_id="CLI")
    campaigns.to_csv(tmp_path / "c.csv", index=False)
    assignments = pd.read_csv(info["files"]["assignments"]).assign(campaign_id="CLI01")
    assignments.loc[0, "customer_id"] = "UNKNOWN"
    assignments.to_csv(tmp_path / "a.csv", index=False)
    path = ["-w", str(ws.path)]
    imported = runner.invoke(app, ["campaign", "import", str(tmp_path / "c.csv"),
                                   str(tmp_path / "a.csv"), *path])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert f"{len(assignments) - 1:,} assignments" in imported.output
    assert "rejected (unknown customer): 1" in imported.output
    assert runner.invoke(app, ["campaign", "measure", "CLI01", *path]).exit_code == 0
    fitted = runner.invoke(app, ["campaign", "uplift", "CLI01", "--charts", str(tmp_path), *path])
    assert fitted.exit_code == 0, fitted.output
    assert "persuadable" in fitted.output
    assert (tmp_path / "CLI01_qini.html").exists()
