"""Property: whatever number a source holds, nothing non-finite or out of range is stored."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvm.ingest import load_file
from cvm.ingest.events import load_events
from cvm.workspace import Workspace

SPECIAL = [
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "-Infinity",
    "infinity",
    "1e400",
    "-1e400",
    "1e308",
    "2e12",
    "-2e12",
    "1e12",
    "1e6",
    "1000001",
    "0",
    "-0",
    "1e-320",
]
NUMBER_TEXT = st.one_of(
    st.sampled_from(SPECIAL),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
)

CHECKS = {
    "transactions": "NOT isfinite(amount) OR abs(amount) > 1e12",
    "order_items": "NOT isfinite(quantity) OR quantity NOT BETWEEN 0 AND 1e6"
    " OR NOT isfinite(amount) OR abs(amount) > 1e12",
    "subscriptions": "NOT isfinite(monthly_amount) OR monthly_amount NOT BETWEEN 0 AND 1e12",
    "survey_responses": "NOT isfinite(score) OR NOT isfinite(coalesce(importance, 0))"
    " OR abs(coalesce(importance, 0)) > 1e6",
}


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[Workspace, Path]]:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.create(Path(tmp) / "ws")
        yield ws, Path(tmp)
        ws.close()


def _bad_rows(ws: Workspace) -> dict[str, int]:
    out = {}
    for table, cond in CHECKS.items():
        row = ws.con.execute(f"SELECT count(*) FROM {table} WHERE {cond}").fetchone()
        out[table] = int(row[0]) if row else -1
    return out


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(NUMBER_TEXT, min_size=1, max_size=6), counter=st.integers(0, 10**9))
def test_no_path_stores_a_non_finite_number(
    shared: tuple[Workspace, Path], values: list[str], counter: int
) -> None:
    ws, tmp = shared
    tag = f"{counter}-{abs(hash(tuple(values)))}"
    csv_files = {
        "transactions": ("transaction_id,customer_id,ts,amount", "{id},C{i},2024-01-0{day},{v}"),
        "order_items": ("transaction_id,product_id,quantity,amount", "{id},P,{v},{back}"),
        "subscriptions": (
            "subscription_id,customer_id,started,monthly_amount",
            "{id},C{i},2024-01-01,{v}",
        ),
        "surveys": ("respondent_id,brand,attribute,score,importance", "{id},us,q,{v},{back}"),
    }
    for kind, (header, line) in csv_files.items():
        path = tmp / f"{kind}-{tag}.csv"
        body = "".join(
            line.format(id=f"{tag}-{i}", i=i, day=1 + i % 9, v=v, back=values[-1 - i]) + "\n"
            for i, v in enumerate(values)
        )
        path.write_text(header + "\n" + body)
        load_file(ws, kind, path)
    jsonl = tmp / f"tx-{tag}.jsonl"
    lines = []
    for i, v in enumerate(values):
        as_number = v if _json_number(v) else json.dumps(v)
        lines.append(
            f'{{"transaction_id": "j{tag}-{i}", "customer_id": "C", "ts": "2024-02-01",'
            f' "amount": {as_number}}}'
        )
    jsonl.write_text("\n".join(lines) + "\n")
    events = tmp / f"ev-{tag}.jsonl"
    events.write_text(
        "\n".join(
            '{"type": "track", "event": "Order Completed", "messageId": "m' + f'{tag}-{i}",'
            f' "userId": "U{i}", "timestamp": "2024-03-01T10:00:00Z", "properties":'
            f' {{"order_id": "e{tag}-{i}", "total": {json.dumps(v)},'
            f' "products": [{{"product_id": "P", "quantity": {json.dumps(v)}, "price": 1}}]}}}}'
            for i, v in enumerate(values)
        )
        + "\n"
    )
    load_file(ws, "transactions", jsonl)
    load_events(ws, events)
    assert _bad_rows(ws) == dict.fromkeys(CHECKS, 0)


def _json_number(text: str) -> bool:
    """Whether ``text`` is a JSON number token (or one no double holds, like 1e400)."""
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) or text.lstrip("-")[:1].isdigit()
