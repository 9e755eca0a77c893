"""Identity resolution: linking, alias, merges (transitive), order independence, the API."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvm._exceptions import DataError
from cvm.ingest.events import load_events
from cvm.ingest.identity import merge_customers, resolve_customer_id
from cvm.workspace import Workspace

EVENTS = Path(__file__).parents[1] / "data" / "events"


def rows(ws: Workspace, sql: str, *params: object) -> list[tuple]:
    return ws.con.execute(sql, list(params)).fetchall()


def final_state(ws: Workspace) -> dict[str, list[tuple]]:
    """Everything identity resolution decides, in a comparable form."""
    return {
        "identities": rows(
            ws, "SELECT source, source_id, customer_id, first_seen FROM identities ORDER BY ALL"
        ),
        "merges": rows(
            ws, "SELECT from_customer_id, into_customer_id FROM customer_merges ORDER BY ALL"
        ),
        "events": rows(ws, "SELECT message_id, customer_id FROM events ORDER BY ALL"),
        "transactions": rows(
            ws, "SELECT transaction_id, customer_id, amount FROM transactions ORDER BY ALL"
        ),
        "customers": rows(
            ws, "SELECT customer_id, first_seen, email, attributes FROM customers ORDER BY ALL"
        ),
    }


def test_anonymous_events_before_and_after_identify_resolve(workspace: Workspace) -> None:
    load_events(workspace, EVENTS / "identify_flow.jsonl")
    got = dict(rows(workspace, "SELECT message_id, customer_id FROM events"))
    assert got == {"f1": "cust-1", "f2": "cust-1", "f3": "cust-1", "f4": "cust-1", "f5": None}
    assert resolve_customer_id(workspace, "anonymous", "anon-1") == "cust-1"
    assert resolve_customer_id(workspace, "email", " ANN@example.com") == "cust-1"
    assert resolve_customer_id(workspace, "anonymous", "anon-2") is None
    assert resolve_customer_id(workspace, "user", "never-seen") == "never-seen"


def test_identify_in_a_later_file_links_earlier_anonymous_order(workspace: Workspace) -> None:
    first = load_events(workspace, EVENTS / "anonymous_later.jsonl")
    assert first.orders is not None and first.orders.rejected == 1  # no customer yet
    assert rows(workspace, "SELECT count(*) FROM transactions") == [(0,)]
    second = load_events(workspace, EVENTS / "identify_anon3.jsonl")
    assert second.orders is not None and second.orders.loaded == 1
    assert rows(workspace, "SELECT customer_id FROM events ORDER BY message_id") == [
        ("cust-3",),
        ("cust-3",),
        ("cust-3",),
    ]
    assert rows(workspace, "SELECT transaction_id, customer_id FROM transactions") == [
        ("o-anon", "cust-3")
    ]


def test_alias_links_the_previous_id(workspace: Workspace) -> None:
    load_events(workspace, EVENTS / "alias.jsonl")
    assert dict(rows(workspace, "SELECT message_id, customer_id FROM events")) == {
        "al1": "cust-9",
        "al2": "cust-9",
        "al3": "cust-9",
    }
    assert resolve_customer_id(workspace, "anonymous", "anon-9") == "cust-9"


def test_same_email_merges_the_later_customer_and_keeps_totals(workspace: Workspace) -> None:
    load_events(workspace, EVENTS / "merge_a.jsonl")
    first_b = load_events(workspace, EVENTS / "merge_b.jsonl")
    assert first_b.customers_merged == 1
    assert rows(workspace, "SELECT from_customer_id, into_customer_id FROM customer_merges") == [
        ("cust-b", "cust-a")
    ]
    by_customer = rows(
        workspace, "SELECT customer_id, sum(amount), count(*) FROM transactions GROUP BY 1"
    )
    assert by_customer == [("cust-a", 30.0 + 12.5 + 40.0 + 7.5, 4)]
    assert rows(workspace, "SELECT DISTINCT customer_id FROM events") == [("cust-a",)]
    ids = rows(workspace, "SELECT source, source_id FROM identities ORDER BY ALL")
    assert ids == [
        ("anonymous", "anon-b"),
        ("email", "pat@example.com"),
        ("user", "cust-a"),
        ("user", "cust-b"),
    ]
    assert rows(workspace, "SELECT DISTINCT customer_id FROM identities") == [("cust-a",)]
    customers = rows(workspace, "SELECT customer_id, email, first_seen FROM customers")
    assert [(c, e, str(f)) for c, e, f in customers] == [
        ("cust-a", "PAT@example.com", "2024-01-10 10:00:00")  # the latest identify wins
    ]
    assert resolve_customer_id(workspace, "user", "cust-b") == "cust-a"


def _final_states_in_both_orders(
    tmp_path: Path, first: str, second: str
) -> list[dict[str, list[tuple]]]:
    """The final state of a fresh workspace after loading two event files, in each order."""
    states = []
    for order in ((first, second), (second, first)):
        with Workspace.create(tmp_path / "-".join(order)) as ws:
            for name in order:
                load_events(ws, EVENTS / f"{name}.jsonl")
            states.append(final_state(ws))
    return states


def test_merge_is_the_same_whatever_the_file_order(tmp_path: Path) -> None:
    states = _final_states_in_both_orders(tmp_path, "merge_a", "merge_b")
    assert states[0]["identities"] == states[1]["identities"]
    assert states[0] == states[1]


def test_transitive_merges_resolve_to_one_survivor_in_any_order(tmp_path: Path) -> None:
    states = _final_states_in_both_orders(tmp_path, "chain_1", "chain_2")
    first, second = states
    assert first == second
    assert {c for _, _, c, _ in first["identities"]} == {"u-three"}  # first seen 2024-01-01
    assert first["merges"] == [("u-one", "u-three"), ("u-two", "u-three")]
    assert first["transactions"] == [("o-c1", "u-three", 10.0), ("o-c3", "u-three", 5.0)]


def test_both_orders_within_one_file(workspace: Workspace, tmp_path: Path) -> None:
    lines = (EVENTS / "merge_a.jsonl").read_text().splitlines()
    lines += (EVENTS / "merge_b.jsonl").read_text().splitlines()
    forward, backward = tmp_path / "f.jsonl", tmp_path / "b.jsonl"
    forward.write_text("\n".join(lines) + "\n")
    backward.write_text("\n".join(reversed(lines)) + "\n")
    states = []
    for name, path in (("f", forward), ("b", backward)):
        with Workspace.create(tmp_path / name) as ws:
            load_events(ws, path)
            states.append(final_state(ws))
    assert states[0] == states[1]
    assert {c for _, _, c, _ in states[0]["identities"]} == {"cust-a"}


def test_merge_customers_repoints_every_table(workspace: Workspace) -> None:
    load_events(workspace, EVENTS / "identify_flow.jsonl")
    load_events(workspace, EVENTS / "orders.jsonl")
    workspace.con.execute(
        "INSERT INTO assignments VALUES ('c1', 'cust-o', 'control', NULL, '2024-01-01'),"
        " ('c1', 'cust-1', 'treatment', NULL, '2024-01-02')"
    )
    total = rows(workspace, "SELECT sum(amount) FROM transactions")
    merge_customers(workspace, "cust-o", "cust-1", "same person (support ticket)")
    assert rows(workspace, "SELECT sum(amount) FROM transactions") == total
    assert rows(workspace, "SELECT DISTINCT customer_id FROM transactions") == [("cust-1",)]
    assert rows(workspace, "SELECT customer_id, arm FROM assignments") == [("cust-1", "control")]
    assert rows(workspace, "SELECT count(*) FROM customers WHERE customer_id = 'cust-o'") == [(0,)]
    assert rows(
        workspace, "SELECT from_customer_id, into_customer_id, reason FROM customer_merges"
    ) == [("cust-o", "cust-1", "same person (support ticket)")]
    assert resolve_customer_id(workspace, "user", "cust-o") == "cust-1"
    merge_customers(workspace, "cust-o", "cust-1", "again")  # already merged: nothing to do
    assert rows(workspace, "SELECT count(*) FROM customer_merges") == [(1,)]
    with pytest.raises(DataError, match="non-empty"):
        merge_customers(workspace, " ", "cust-1", "x")


def test_prospect_linked_by_email_waits_for_a_customer(tmp_path: Path) -> None:
    states = []
    for order in (("prospect", "prospect_signup"), ("prospect_signup", "prospect")):
        with Workspace.create(tmp_path / "-".join(order)) as ws:
            load_events(ws, EVENTS / f"{order[0]}.jsonl")
            if order[0] == "prospect":  # anonymous id and e-mail known, no customer yet
                assert rows(ws, "SELECT DISTINCT customer_id FROM events") == [(None,)]
                assert rows(ws, "SELECT source, source_id FROM identity_links ORDER BY 1") == [
                    ("anonymous", "anon-p"),
                    ("email", "quinn@example.com"),
                ]
                assert resolve_customer_id(ws, "anonymous", "anon-p") is None
            load_events(ws, EVENTS / f"{order[1]}.jsonl")
            assert rows(ws, "SELECT count(*) FROM identity_links") == [(0,)]
            assert resolve_customer_id(ws, "anonymous", "anon-p") == "cust-q"
            states.append(final_state(ws))
    assert states[0] == states[1]
    assert {c for _, c in states[0]["events"]} == {"cust-q"}
    attributes = states[0]["customers"][0][3]
    assert attributes == '{"newsletter":true}'
