"""Audience exports per tool, and suppression by any identifier across all of them."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from campaign_helpers import design

from cvm._exceptions import DataError
from cvm.campaigns import (
    build_campaign,
    create_campaign,
    export_campaign,
    suppress_identifiers,
)
from cvm.campaigns.formats import FORMATS
from cvm.cli import app


def _read(path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype(str)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _treated(ws) -> list[str]:
    """Treated customers with e-mail consent, in id order (independent of the export)."""
    rows = ws.con.execute(
        "SELECT a.customer_id FROM assignments a JOIN customers c USING (customer_id)"
        " WHERE a.campaign_id = 'SPRING' AND a.arm <> 'control' AND c.consent_email"
        " ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def test_a_suppressed_address_is_in_no_export_format(crm, runner, tmp_path):
    """Defect: `campaign suppress` stored the e-mail as a customer id; the export kept it."""
    create_campaign(crm, design())
    build_campaign(crm, "SPRING")
    treated = _treated(crm)
    by_email, by_hash, by_id, by_phone, by_crm = treated[:5]
    crm.con.execute(
        "INSERT INTO identities (source, source_id, customer_id) VALUES ('salesforce', ?, ?)",
        ["0035g00000AbCdEAA1", by_crm],
    )
    email_of = {cid: f"k{cid[1:]}@example.com" for cid in treated[:5]}
    hashed = hashlib.sha256(email_of[by_hash].encode()).hexdigest()
    phone = crm.con.execute("SELECT phone FROM customers WHERE customer_id = ?",
                            [by_phone]).fetchall()[0][0]  # fmt: skip
    unsub = tmp_path / "unsubscribed.csv"
    pd.DataFrame({"email": [f"  {email_of[by_email].upper()} ", hashed, by_id,
                            "0035g00000AbCdEAA1", "nobody@example.org"]}).to_csv(
        unsub, index=False
    )  # fmt: skip
    phones = tmp_path / "stop_sms.csv"
    pd.DataFrame({"Phone Number": [phone.replace("+1555", "+1 (555) ")]}).to_csv(
        phones, index=False
    )
    ws = ["-w", str(crm.path)]
    crm.close()
    out = runner.invoke(app, ["campaign", "suppress", str(unsub), "--channel", "email", *ws])
    assert out.exit_code == 0, out.output
    assert "5 identifiers suppressed" in out.output
    assert "4 known customers" in out.output  # nobody@example.org matches no one (yet)
    out = runner.invoke(app, ["campaign", "suppress", str(phones), *ws])  # every channel
    assert out.exit_code == 0, out.output
    from cvm.workspace import Workspace

    ws_ = Workspace.open(crm.path)
    try:
        stored = ws_.con.execute("SELECT value FROM suppressed_identifiers").fetchall()
        assert not any("@" in v[0] for v in stored)  # addresses kept only as hashes
        suppressed = {by_email, by_hash, by_id, by_phone, by_crm}
        forbidden = {*(email_of[c] for c in suppressed), *suppressed}
        expected = sorted(set(treated) - suppressed)
        for fmt, layout in FORMATS.items():
            result = export_campaign(ws_, "SPRING", tmp_path / f"x.{layout.extension}",
                                     format=fmt)  # fmt: skip
            frame = _read(result.path)
            cells = {str(v).strip().lower() for v in frame.to_numpy().ravel()}
            assert not cells & {f.lower() for f in forbidden}, fmt
            id_col = layout.customer_id
            assert sorted(frame[id_col]) == expected, fmt
            assert result.excluded == {"suppressed": 5}, fmt
    finally:
        ws_.close()


def test_an_address_suppressed_before_its_customer_exists_is_never_contacted(crm):
    suppress_identifiers(crm, [("email", "Late.Comer@Example.com")], channel="email")
    crm.con.execute(
        "INSERT INTO customers (customer_id, email, consent_email) VALUES"
        " ('LATE1', 'late.comer@example.com', TRUE), ('LATE2', 'other@example.com', TRUE)"
    )
    create_campaign(crm, design(control_fraction=0.1), customers=["LATE1", "LATE2", "K00001"])
    result = build_campaign(crm, "SPRING")
    assert result.excluded == {"suppressed": 1}
    assert result.eligible == 2
    members = crm.con.execute("SELECT customer_id FROM assignments ORDER BY 1").fetchall()
    assert members == [("K00001",), ("LATE2",)]


def test_hashed_list_must_hold_hashes(crm):
    with pytest.raises(DataError, match="SHA-256"):
        suppress_identifiers(crm, [("email_sha256", "not-a-hash")])


def _runs(ws) -> None:
    """A scored CLV run, a newer fit-only run (no scores) and a segments run."""
    ws.con.execute(
        "INSERT INTO model_runs (run_id, kind, created_at) VALUES"
        " ('clv-1', 'clv', TIMESTAMP '2025-02-01'), ('clv-2', 'clv', TIMESTAMP '2025-02-10'),"
        " ('seg-1', 'segments', TIMESTAMP '2025-02-11')"
    )
    ws.con.execute(
        "INSERT INTO scores (run_id, customer_id, clv) SELECT 'clv-1', customer_id,"
        " CAST(substr(customer_id, 2) AS INTEGER) * 1.5 FROM customers"
    )
    ws.con.execute(
        "INSERT INTO scores (run_id, customer_id, segment, tier) SELECT 'seg-1', customer_id,"
        " 'champions', 'gold' FROM customers"
    )


def test_klaviyo_layout_carries_names_clv_tier_segment_and_offer(crm, tmp_path):
    _runs(crm)
    crm.con.execute(
        "UPDATE customers SET attributes = json_object('FirstName', 'Chloé', 'LastName',"
        " 'Martin') WHERE customer_id = 'K00012'"
    )  # a Salesforce-shaped profile
    create_campaign(crm, design(offer_id="OFF5", control_fraction=0.1),
                    customers=["K00011", "K00012", "K00013"])  # fmt: skip
    build_campaign(crm, "SPRING")
    arms = dict(crm.con.execute("SELECT customer_id, arm FROM assignments").fetchall())
    result = export_campaign(crm, "SPRING", tmp_path / "k.csv", format="klaviyo")
    frame = _read(result.path)
    assert list(frame.columns) == ["Email", "First Name", "Last Name", "External ID", "CLV",
                                   "Tier", "Segment", "Offer", "Campaign", "Arm"]  # fmt: skip
    treated = sorted(c for c, a in arms.items() if a != "control")
    assert sorted(frame["External ID"]) == treated
    row = frame.set_index("External ID").loc[treated[0]]
    assert float(row["CLV"]) == int(treated[0][1:]) * 1.5  # from the scored run, not clv-2
    assert (row["Tier"], row["Segment"], row["Offer"]) == ("gold", "champions", "OFF5")
    if "K00012" in treated:
        named = frame.set_index("External ID").loc["K00012"]
        assert (named["First Name"], named["Last Name"]) == ("Chloé", "Martin")


def test_manifest_records_what_was_exported(crm, tmp_path):
    create_campaign(crm, design())
    build_campaign(crm, "SPRING")
    result = export_campaign(crm, "SPRING", tmp_path / "aud.parquet", format="parquet")
    manifest = json.loads(result.manifest.read_text())
    frame = pd.read_parquet(result.path)
    assert manifest["campaign_id"] == "SPRING" and manifest["format"] == "parquet"
    assert manifest["rows"] == len(frame) == result.rows
    assert manifest["columns"] == list(frame.columns)
    assert manifest["sha256"] == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert sum(manifest["arms"].values()) == len(frame)
    assert "control" not in set(frame["arm"])
    assert manifest["exported_at"].startswith("20")


def test_default_export_lives_in_the_workspace_exports_folder(crm):
    create_campaign(crm, design())
    build_campaign(crm, "SPRING")
    result = export_campaign(crm, "SPRING", format="marketo")
    assert result.path == crm.path / "exports" / "SPRING_email_marketo.csv"
    assert result.manifest.parent == crm.path / "exports"


def test_tool_formats_refuse_channels_they_cannot_send_on(crm):
    crm.con.execute("UPDATE customers SET consent_push = TRUE")
    create_campaign(crm, design(channel="push"))
    build_campaign(crm, "SPRING")
    with pytest.raises(DataError, match="csv or parquet"):
        export_campaign(crm, "SPRING", format="mailchimp")
    with pytest.raises(DataError, match="export format"):
        export_campaign(crm, "SPRING", format="excel")
