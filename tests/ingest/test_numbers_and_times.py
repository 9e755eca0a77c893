"""Every number that enters is finite and in range; time stamps honour their zone and the floor."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tabular_helpers import rejected, rows, set_config

from cvm import ConfigError
from cvm.ingest import load_file
from cvm.ingest.events import load_events
from cvm.workspace import Workspace


def _text_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _reasons(ws: Workspace) -> dict[int, str]:
    return {line: reason for line, _raw, reason in rejected(ws)}


def test_csv_amounts_must_be_finite_and_in_range(workspace: Workspace, tmp_path: Path) -> None:
    path = _text_file(
        tmp_path,
        "tx.csv",
        "transaction_id,customer_id,ts,amount\n"
        "T1,C1,2024-01-05 10:00:00,12.50\n"
        "T2,C1,2024-01-06 10:00:00,inf\n"
        "T3,C1,2024-01-07 10:00:00,NaN\n"
        "T4,C1,2024-01-08 10:00:00,1e400\n"
        "T5,C1,2024-01-09 10:00:00,-Infinity\n"
        "T6,C1,2024-01-10 10:00:00,2e12\n"
        "T7,C2,2024-01-11 10:00:00,0\n",
    )
    result = load_file(workspace, "transactions", path)
    assert (result.loaded, result.rejected) == (2, 5)
    assert _reasons(workspace) == {
        3: "non-finite amount: inf",
        4: "non-finite amount: NaN",
        5: "non-finite amount: 1e400",
        6: "non-finite amount: -Infinity",
        7: "amount out of range: 2e12 (expected -1e+12..1e+12)",
    }
    assert rows(workspace, "SELECT transaction_id, amount FROM transactions ORDER BY 1") == [
        ("T1", 12.5),
        ("T7", 0.0),
    ]


def test_parquet_non_finite_numbers_are_rejected(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "tx.parquet"
    table = pa.table(
        {
            "transaction_id": ["P1", "P2", "P3"],
            "customer_id": ["C1", "C1", "C2"],
            "ts": [datetime(2024, 1, 5), datetime(2024, 1, 6), datetime(2024, 1, 7)],
            "amount": [10.0, math.inf, math.nan],
        }
    )
    pq.write_table(table, path)
    result = load_file(workspace, "transactions", path)
    assert (result.loaded, result.rejected) == (1, 2)
    assert sorted(r for _l, _raw, r in rejected(workspace)) == [
        "non-finite amount: inf",
        "non-finite amount: nan",
    ]


def test_json_lines_non_finite_amount_is_rejected(workspace: Workspace, tmp_path: Path) -> None:
    path = _text_file(
        tmp_path,
        "tx.jsonl",
        '{"transaction_id": "J1", "customer_id": "C1", "ts": "2024-01-05", "amount": 3.5}\n'
        '{"transaction_id": "J2", "customer_id": "C1", "ts": "2024-01-06", "amount": "Infinity"}\n'
        '{"transaction_id": "J3", "customer_id": "C1", "ts": "2024-01-07", "amount": 1e400}\n',
    )
    result = load_file(workspace, "transactions", path)
    assert (result.loaded, result.rejected) == (1, 2)
    assert rows(workspace, "SELECT transaction_id FROM transactions") == [("J1",)]


@pytest.mark.parametrize(
    ("kind", "text", "counts", "reasons"),
    [
        pytest.param(
            "order_items",
            "transaction_id,product_id,quantity,amount\n"
            "O1,P1,2,10.00\nO2,P1,inf,10.00\nO3,P1,2000000,10.00\nO4,P1,1,nan\nO5,P1,1,-1e13\n",
            (1, 4),
            {
                3: "non-finite quantity: inf",
                4: "quantity out of range: 2000000 (expected 0..1e+06)",
                5: "non-finite amount: nan",
                6: "amount out of range: -1e13 (expected -1e+12..1e+12)",
            },
            id="order_item_quantity_and_price",
        ),
        pytest.param(
            "subscriptions",
            "subscription_id,customer_id,plan,started,ended,monthly_amount\n"
            "S1,C1,basic,2024-01-01,,9.99\nS2,C2,basic,2024-01-01,,Infinity\n"
            "S3,C3,basic,2024-01-01,,5e12\n",
            (1, 2),
            {3: "non-finite amount: Infinity", 4: "amount out of range: 5e12 (expected 0..1e+12)"},
            id="subscription_monthly_amount",
        ),
        pytest.param(
            "surveys",
            "respondent_id,brand,attribute,score,importance\nR1,us,quality,7,0.5\n"
            "R2,us,quality,nan,0.5\nR3,us,quality,7,inf\n",
            (1, 2),
            {3: "non-finite score: nan", 4: "non-finite importance: inf"},
            id="survey_score_and_importance",
        ),
        pytest.param(
            "transactions",
            "transaction_id,customer_id,ts,amount\n"
            "T1,C1,2024-03-01 10:00:00+25:00,5\nT2,C1,2024-03-01 10:00:00+01:75,5\n"
            "T3,C1,0001-01-01 00:00:00,5\nT4,C1,1900-01-01,5\nT5,C1,1970-01-01 00:00:00,5\n",
            (1, 4),
            {
                2: "impossible UTC offset: 2024-03-01 10:00:00+25:00",
                3: "impossible UTC offset: 2024-03-01 10:00:00+01:75",
                4: "timestamp before 1970-01-01: 0001-01-01 00:00:00",
                5: "timestamp before 1970-01-01: 1900-01-01 00:00:00",
            },
            id="impossible_offsets_and_old_dates",
        ),
    ],
)
def test_bad_numbers_and_times_are_rejected_with_their_line(
    workspace: Workspace, tmp_path: Path, kind: str, text: str, counts: tuple, reasons: dict
) -> None:
    result = load_file(workspace, kind, _text_file(tmp_path, f"{kind}.csv", text))
    assert (result.loaded, result.rejected) == counts
    assert _reasons(workspace) == reasons


def _order_event(message_id: str, total: object) -> str:
    return json.dumps(
        {
            "type": "track",
            "event": "Order Completed",
            "messageId": message_id,
            "userId": "U1",
            "timestamp": "2024-02-01T10:00:00Z",
            "properties": {"order_id": message_id, "total": total, "currency": "USD"},
        }
    )


def test_segment_order_totals_must_be_finite(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        _order_event("ok", 20.0),
        _order_event("s-inf", "Infinity"),
        _order_event("s-nan", "NaN"),
        _order_event("s-big", "1e400"),
    ]
    # JSON numbers that no double holds: written by hand (json.dumps refuses them)
    lines.append(_order_event("n-big", 0).replace('"total": 0', '"total": 1e400'))
    lines.append(_order_event("n-nan", 0).replace('"total": 0', '"total": NaN'))
    path.write_text("\n".join(lines) + "\n")
    result = load_events(workspace, path)
    assert result.orders is not None
    assert result.orders.loaded == 1
    stored = rows(workspace, "SELECT transaction_id, amount FROM transactions")
    assert stored == [("ok", 20.0)]
    assert rows(
        workspace, "SELECT line, reason FROM rejected_rows WHERE kind = 'transactions' ORDER BY 1"
    ) == [
        (2, "non-finite amount: inf"),
        (3, "non-finite amount: nan"),
        (4, "non-finite amount: inf"),
        (5, "non-finite amount: inf"),
        (6, "non-finite amount: nan"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 10:00:00 CET", datetime(2024, 3, 1, 9, 0)),
        ("2024-03-01 10:00:00 Europe/Paris", datetime(2024, 3, 1, 9, 0)),
        ("2024-07-01 10:00:00 Europe/Paris", datetime(2024, 7, 1, 8, 0)),
        ("2024-03-01 10:00:00 UTC", datetime(2024, 3, 1, 10, 0)),
        ("2024-03-01T10:00:00Z", datetime(2024, 3, 1, 10, 0)),
        ("2024-03-01 10:00:00+01:00", datetime(2024, 3, 1, 9, 0)),
        ("2024-03-01 10:00:00-05:30", datetime(2024, 3, 1, 15, 30)),
    ],
)
def test_named_zones_and_offsets_are_honoured(
    workspace: Workspace, tmp_path: Path, text: str, expected: datetime
) -> None:
    path = _text_file(tmp_path, "tx.csv", f"transaction_id,customer_id,ts,amount\nT1,C1,{text},5\n")
    load_file(workspace, "transactions", path)
    assert rows(workspace, "SELECT ts FROM transactions") == [(expected,)]


def test_timestamp_floor_is_a_setting(workspace: Workspace, tmp_path: Path) -> None:
    ws = set_config(workspace, '[ingest]\ntimestamp_floor = "2000-01-01"')
    path = _text_file(
        tmp_path,
        "subs.csv",
        "subscription_id,customer_id,started,ended\nS1,C1,1999-12-31,\nS2,C2,2000-01-02,\n",
    )
    load_file(ws, "subscriptions", path)
    assert rejected(ws)[0][2] == "timestamp before 2000-01-01: 1999-12-31 00:00:00"
    bad = set_config(ws, "")
    (bad.path / "cvm.toml").write_text('[ingest]\ntimestamp_floor = "soon"\n')
    bad.close()
    with (
        pytest.raises(ConfigError, match="timestamp_floor must be a date"),  # when it opens
        Workspace.open(bad.path) as reopened,
    ):
        load_file(reopened, "subscriptions", path)


def test_events_honour_zone_names_offsets_and_floor(workspace: Workspace, tmp_path: Path) -> None:
    def msg(mid: str, ts: str) -> str:
        return json.dumps(
            {"type": "track", "event": "Viewed", "messageId": mid, "userId": "U1", "timestamp": ts}
        )

    path = tmp_path / "ev.jsonl"
    path.write_text(
        "\n".join(
            [
                msg("a", "2024-03-01 10:00:00 CET"),
                msg("b", "2024-03-01T10:00:00+25:00"),
                msg("c", "1900-01-01T00:00:00Z"),
            ]
        )
        + "\n"
    )
    result = load_events(workspace, path)
    assert (result.loaded, result.rejected) == (1, 2)
    assert rows(workspace, "SELECT message_id, ts FROM events") == [
        ("a", datetime(2024, 3, 1, 9, 0))
    ]
    assert [r for _l, _raw, r in rejected(workspace)] == [
        "impossible UTC offset: 2024-03-01T10:00:00+25:00",
        "timestamp before 1970-01-01: 1900-01-01 00:00:00",
    ]


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1e400"])
def test_currency_rates_must_be_finite_and_positive(workspace: Workspace, value: str) -> None:
    with pytest.raises(ConfigError, match=r"\[currencies\] EUR"):  # refused when it opens
        ws = set_config(workspace, f"[currencies]\nEUR = {value}")
        load_file(ws, "transactions", Path("unused.csv"))


def test_identify_created_at_before_the_floor_is_not_a_first_seen(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "ident.jsonl"
    path.write_text(
        json.dumps(
            {
                "type": "identify",
                "messageId": "i1",
                "userId": "U7",
                "timestamp": "2024-02-01T10:00:00Z",
                "traits": {"createdAt": "0001-01-01T00:00:00Z"},
            }
        )
        + "\n"
    )
    load_events(workspace, path)
    assert rows(workspace, "SELECT first_seen FROM customers WHERE customer_id = 'U7'") == [
        (datetime(2024, 2, 1, 10, 0),)
    ]
