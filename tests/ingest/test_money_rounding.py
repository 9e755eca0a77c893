"""Converted amounts are stored at the workspace currency's precision, without float noise."""

from __future__ import annotations

from pathlib import Path

import pytest
from tabular_helpers import rows

from cvm.ingest import load_file
from cvm.ingest.currencies import minor_units
from cvm.workspace import Workspace


def _workspace(path: Path, currency: str, rates: dict[str, float]) -> Workspace:
    Workspace.create(path).close()
    toml = path / "cvm.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'currency = "USD"' in text
    text = text.replace('currency = "USD"', f'currency = "{currency}"', 1)
    text += "\n[currencies]\n" + "".join(f"{k} = {v}\n" for k, v in rates.items())
    toml.write_text(text, encoding="utf-8")
    return Workspace.open(path)


def test_a_rate_with_float_noise_stores_cents(tmp_path: Path) -> None:
    assert 10.10 * 1.1 != 11.11 and 53.91 * 1.2 != 64.69  # the noise this guards against
    src = tmp_path / "eu.csv"
    src.write_text(
        "order_id,customer_id,date,amount,currency\n"
        "E1,C1,2024-01-05,10.10,EUR\n"
        "E2,C2,2024-01-06,53.91,GBP\n"
        "E3,C3,2024-01-07,19.99,USD\n"  # the workspace currency: unchanged
        "E4,C4,2024-01-08,-10.10,EUR\n"  # a refund, rounded the same way
    )
    with _workspace(tmp_path / "w", "USD", {"EUR": 1.1, "GBP": 1.2}) as ws:
        load_file(ws, "transactions", src)
        stored = rows(ws, "SELECT transaction_id, amount FROM transactions ORDER BY 1")
    assert stored == [("E1", 11.11), ("E2", 64.69), ("E3", 19.99), ("E4", -11.11)]
    assert [repr(a) for _, a in stored] == ["11.11", "64.69", "19.99", "-11.11"]


def test_order_lines_and_contracts_are_rounded_too(tmp_path: Path) -> None:
    lines = tmp_path / "lines.csv"
    lines.write_text(
        "order_id,product_id,quantity,amount,currency\nE1,P1,1,10.10,EUR\nE1,P2,3,0.10,EUR\n"
    )
    subs = tmp_path / "subs.csv"
    subs.write_text(
        "subscription_id,customer_id,plan,started,monthly_amount\nS1,C1,pro,2024-01-01,10.10\n"
    )
    with _workspace(tmp_path / "w", "USD", {"EUR": 1.1}) as ws:
        load_file(ws, "order_items", lines)
        load_file(ws, "subscriptions", subs, currency="EUR")
        items = rows(ws, "SELECT product_id, amount FROM order_items ORDER BY 1")
        monthly = rows(ws, "SELECT monthly_amount FROM subscriptions")
    assert items == [("P1", 11.11), ("P2", 0.11)]  # 0.10 x 1.1 = 0.11000000000000001
    assert monthly == [(11.11,)]


@pytest.mark.parametrize(
    ("currency", "rate", "amount", "expected"),
    [
        ("JPY", 151.37, "12.34", 1868.0),  # 1867.9058: whole yen
        ("KWD", 0.3317, "10.10", 3.35),  # 3.35017: three decimals
        ("BHD", 0.3771, "19.99", 7.538),  # 7.538229
    ],
)
def test_minor_units_of_the_workspace_currency(
    tmp_path: Path, currency: str, rate: float, amount: str, expected: float
) -> None:
    src = tmp_path / "usd.csv"
    src.write_text(f"order_id,customer_id,date,amount,currency\nU1,C1,2024-01-05,{amount},USD\n")
    with _workspace(tmp_path / "w", currency, {"USD": rate}) as ws:
        load_file(ws, "transactions", src)
        assert rows(ws, "SELECT amount FROM transactions") == [(expected,)]


def test_minor_units_table() -> None:
    assert [minor_units(c) for c in ("USD", "eur", "JPY", "KRW", "BHD", "KWD", "CLF")] == [
        2, 2, 0, 0, 3, 3, 4,
    ]  # fmt: skip
