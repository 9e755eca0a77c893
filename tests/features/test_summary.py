"""As-of summaries, pinned to the published CDNOW calibration summary.

Data: the 2,357-customer CDNOW sample (Fader, Hardie & Lee 2005, "Counting Your Customers the
Easy Way", Marketing Science 24(2)), raw purchase log and its 39-week calibration summary as
distributed by B. Hardie and shipped in the lifetimes package (MIT).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvm import DataError
from cvm.features import holdout_tracking, rfm_summary

CDNOW = Path(__file__).parents[1] / "data" / "cdnow"


def test_cdnow_log_reproduces_published_calibration_summary(cdnow_log: pd.DataFrame) -> None:
    published = pd.read_csv(CDNOW / "cdnow_sample_summary.csv")
    ours = rfm_summary(cdnow_log, "1997-09-30", unit="W").reindex(published["ID"].astype(str))
    assert len(ours) == 2357 and not ours["frequency"].isna().any()
    np.testing.assert_array_equal(ours["frequency"].to_numpy(), published["x"].to_numpy())
    np.testing.assert_allclose(ours["recency"], published["t_x"], atol=0.005)
    np.testing.assert_allclose(ours["T"], published["T"], atol=0.005)
    np.testing.assert_allclose(ours["monetary_value"], published["zbar"], atol=0.0051)
    assert int((published["x"] > 0).sum()) == 946


def tx(rows: list[tuple]) -> pd.DataFrame:
    cols = ["transaction_id", "customer_id", "ts", "amount", "is_refund", "refund_of"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["ts"] = pd.to_datetime(frame["ts"], format="ISO8601")
    return frame


def test_refunds_are_netted_and_full_refunds_are_not_purchases() -> None:
    frame = tx(
        [
            ("o1", "a", "2024-01-01 10:00", 100.0, False, None),
            ("o2", "a", "2024-01-01 18:00", 20.0, False, None),  # same day: one purchase
            ("o3", "a", "2024-01-11", 50.0, False, None),
            ("r3", "a", "2024-01-12", -10.0, True, "o3"),  # partial refund of o3
            ("o4", "a", "2024-01-21", 80.0, False, None),
            ("r4", "a", "2024-01-22", -80.0, True, "o4"),  # o4 refunded in full
            ("o5", "b", "2024-01-05", 30.0, False, None),
        ]
    )
    s = rfm_summary(frame, "2024-01-31")
    a = s.loc["a"]
    assert (a["frequency"], a["recency"], a["T"]) == (1.0, 10.0, 30.0)
    assert a["monetary_value"] == pytest.approx(40.0)
    b = s.loc["b"]
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0.0, 0.0, 26.0, 0.0)


def test_later_refund_does_not_leak_into_earlier_cutoff() -> None:
    frame = tx(
        [
            ("o1", "a", "2024-01-01", 10.0, False, None),
            ("o2", "a", "2024-01-08", 40.0, False, None),
            ("r2", "a", "2024-02-01", -40.0, True, "o2"),
        ]
    )
    assert rfm_summary(frame, "2024-01-15").loc["a", "frequency"] == 1.0
    assert rfm_summary(frame, "2024-02-15").loc["a", "frequency"] == 0.0


def test_weeks_and_weekly_periods() -> None:
    frame = tx(
        [
            ("o1", "a", "2024-01-01", 10.0, False, None),  # Monday
            ("o2", "a", "2024-01-03", 10.0, False, None),  # same week
            ("o3", "a", "2024-01-15", 10.0, False, None),
        ]
    )
    daily = rfm_summary(frame, "2024-01-29", unit="W")
    weekly = rfm_summary(frame, "2024-01-29", unit="W", period="W")
    assert daily.loc["a", "frequency"] == 2.0 and weekly.loc["a", "frequency"] == 1.0
    assert daily.loc["a", "T"] == pytest.approx(4.0)
    assert weekly.loc["a", "recency"] == pytest.approx(2.0)


def test_holdout_counts_purchases_after_cutoff_for_known_customers_only() -> None:
    frame = tx(
        [
            ("o1", "a", "2024-01-01", 10.0, False, None),
            ("o2", "a", "2024-02-10", 30.0, False, None),
            ("o3", "a", "2024-02-20", 50.0, False, None),
            ("o4", "b", "2024-02-05", 30.0, False, None),  # first seen in holdout
        ]
    )
    s = rfm_summary(frame, "2024-01-31", holdout_end="2024-03-01")
    assert list(s.index) == ["a"]
    assert s.loc["a", "frequency_holdout"] == 2.0
    assert s.loc["a", "monetary_value_holdout"] == pytest.approx(40.0)
    assert s.loc["a", "duration_holdout"] == 30.0


def test_parquet_file_without_workspace(tmp_path: Path, cdnow_log: pd.DataFrame) -> None:
    path = tmp_path / "tx.parquet"
    cdnow_log.to_parquet(path)
    s = rfm_summary(path, "1997-09-30", unit="W")
    assert len(s) == 2357 and int((s["frequency"] > 0).sum()) == 946


def test_bad_inputs_are_named() -> None:
    frame = tx([("o1", "a", "2024-01-01", 10.0, False, None)])
    with pytest.raises(DataError, match="missing amount"):
        rfm_summary(frame.drop(columns="amount"), "2024-02-01")
    with pytest.raises(DataError, match="cutoff"):
        rfm_summary(frame, "not a date")
    with pytest.raises(DataError, match="holdout_end"):
        rfm_summary(frame, "2024-02-01", holdout_end="2024-01-01")
    with pytest.raises(DataError, match="unit"):
        rfm_summary(frame, "2024-02-01", unit="Y")


def test_holdout_tracking_reconciles_with_holdout_counts(cdnow_log: pd.DataFrame) -> None:
    log = cdnow_log
    s = rfm_summary(log, "1997-09-30", unit="W", holdout_end="1998-06-30")
    track = holdout_tracking(log, "1997-09-30", "1998-06-30")
    assert len(track) == 273  # 1997-10-01 .. 1998-06-30
    assert track["cumulative"].iloc[-1] == s["frequency_holdout"].sum()
    assert track["purchases"].min() >= 0 and track["cumulative"].is_monotonic_increasing


def test_cdnow_log_through_ingestion_reproduces_published_summary(
    tmp_path: Path, cdnow_log: pd.DataFrame, workspace
) -> None:
    """The raw log loaded with `cvm ingest` (a CSV export of it, one line id per purchase since
    the log has none), then summarised from the workspace, gives the published summary."""
    from cvm.ingest import load_file

    export = cdnow_log.assign(
        order=[f"L{i}" for i in range(len(cdnow_log))],
        date=cdnow_log["ts"].dt.strftime("%Y%m%d"),
    )[["order", "customer_id", "date", "amount"]]
    export.to_csv(tmp_path / "cdnow.csv", index=False)
    result = load_file(
        workspace,
        "transactions",
        tmp_path / "cdnow.csv",
        columns={"transaction_id": "order", "ts": "date"},
        date_format="%Y%m%d",
    )
    assert (result.loaded, result.rejected) == (6919, 0)
    published = pd.read_csv(CDNOW / "cdnow_sample_summary.csv")
    ours = rfm_summary(workspace, "1997-09-30", unit="W").reindex(published["ID"].astype(str))
    np.testing.assert_array_equal(ours["frequency"].to_numpy(), published["x"].to_numpy())
    np.testing.assert_allclose(ours["recency"], published["t_x"], atol=0.005)
    np.testing.assert_allclose(ours["T"], published["T"], atol=0.005)
    np.testing.assert_allclose(ours["monetary_value"], published["zbar"], atol=0.0051)
