"""Reloading a customer snapshot changes only what changed and never loses first-seen facts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tabular_helpers import rows

from cvm.ingest import load_file
from cvm.ingest.events import load_events
from cvm.workspace import Workspace

SNAPSHOT = (
    "customer_id,email,country,first_seen,tier,consent_email\n"
    "0001,ann@x.com,FR,2024-03-01,gold,yes\n"
    "0002,bob@x.com,DE,2024-03-02,silver,no\n"
    "0003,cy@x.com,,2024-03-03,,yes\n"
)


def test_reloading_an_unchanged_snapshot_updates_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(SNAPSHOT)
    first = load_file(workspace, "customers", path)
    before = rows(workspace, "SELECT * EXCLUDE (updated_at) FROM customers ORDER BY 1")
    again = load_file(workspace, "customers", path)
    assert (first.loaded, first.updated) == (3, 0)
    assert (again.loaded, again.updated, again.duplicates) == (0, 0, 3)
    assert rows(workspace, "SELECT * EXCLUDE (updated_at) FROM customers ORDER BY 1") == before


def test_snapshot_keeps_earliest_first_seen_and_identify_traits(
    workspace: Workspace, tmp_path: Path
) -> None:
    events = tmp_path / "ev.jsonl"
    events.write_text(
        json.dumps(
            {
                "type": "identify",
                "messageId": "i1",
                "userId": "0001",
                "timestamp": "2024-01-15T08:00:00Z",
                "traits": {"plan": "pro", "tier": "bronze"},
            }
        )
        + "\n"
    )
    load_events(workspace, events)
    path = tmp_path / "crm.csv"
    path.write_text(SNAPSHOT)
    load_file(workspace, "customers", path)
    again = load_file(workspace, "customers", path)
    assert again.updated == 0
    ann = rows(
        workspace,
        "SELECT first_seen, attributes ->> 'plan', attributes ->> 'tier', country"
        " FROM customers WHERE customer_id = '0001'",
    )
    # first seen by the identify call in January, not on the snapshot's March date; the
    # trait the CRM does not hold stays; the key it holds is the snapshot's
    assert ann == [(datetime(2024, 1, 15, 8, 0), "pro", "gold", "FR")]


def test_a_changed_snapshot_counts_only_real_changes(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(SNAPSHOT)
    load_file(workspace, "customers", path)
    changed = tmp_path / "crm2.csv"
    changed.write_text(
        SNAPSHOT.replace("0002,bob@x.com,DE", "0002,bob@x.com,AT").replace(
            "0001,ann@x.com,FR,2024-03-01", "0001,,FR,2024-05-01"
        )
    )
    result = load_file(workspace, "customers", changed)
    assert (result.updated, result.duplicates) == (1, 2)
    assert rows(
        workspace, "SELECT customer_id, email, country, first_seen FROM customers ORDER BY 1"
    ) == [
        ("0001", "ann@x.com", "FR", datetime(2024, 3, 1)),  # empty e-mail erases nothing
        ("0002", "bob@x.com", "AT", datetime(2024, 3, 2)),
        ("0003", "cy@x.com", None, datetime(2024, 3, 3)),
    ]
