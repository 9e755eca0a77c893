"""RFM scores from edges set in cvm.toml instead of quantiles, with the map written for them."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import pytest

from cvm._exceptions import ConfigError
from cvm.segments import read_settings, segment_frame
from cvm.workspace import Workspace
from handmade import add_customer, add_orders

AS_OF = "2024-12-31"
R_EDGES, F_EDGES, M_EDGES = [2, 5, 8], [2, 5], [100, 500.0]
RFM = {
    "recency_edges": R_EDGES,  # days since the last purchase: 4 scores, recent is high
    "frequency_edges": F_EDGES,  # orders: 3 scores
    "monetary_edges": M_EDGES,  # revenue: 3 scores
    "map": {"Best": "r >= 3 AND fm >= 2.5", "Lapsing": "r <= 2 AND fm >= 2", "Rest": "TRUE"},
}


def _expected(days: int, orders: int, revenue: float) -> tuple[int, int, int]:
    """Scores as the edges define them: recency counts the edges at or after the days
    since the last purchase; frequency and monetary count the edges reached."""
    r = 1 + len(R_EDGES) - bisect_left(R_EDGES, days)
    return r, 1 + bisect_right(F_EDGES, orders), 1 + bisect_right(M_EDGES, revenue)


@pytest.fixture
def ten(workspace: Workspace) -> Workspace:
    # C01..C10: k orders of 10 * k (revenue 10 k^2), the last one k days before AS_OF
    for k in range(1, 11):
        add_customer(workspace, f"C{k:02d}", "2023-01-01")
        days = [f"2024-{m:02d}-01" for m in range(1, k)] + [f"2024-12-{31 - k:02d}"]
        add_orders(workspace, f"C{k:02d}", days, 10.0 * k)
    return workspace


def test_edges_give_the_scores_and_the_map_names_them(ten: Workspace) -> None:
    frame = segment_frame(ten, AS_OF, read_settings({"rfm": RFM}), fit_clv=False)
    for k in range(1, 11):
        row = frame.loc[f"C{k:02d}"]
        r, f, m = _expected(k, k, 10.0 * k * k)
        assert (row["r_score"], row["f_score"], row["m_score"]) == (r, f, m), k
        assert row["rfm"] == f"{r}{f}{m}"
        fm = (f + m) / 2
        name = "Best" if r >= 3 and fm >= 2.5 else "Lapsing" if r <= 2 and fm >= 2 else "Rest"
        assert row["rfm_segment"] == name, k
    # the edges are limits, not quantiles: scores are not spread evenly
    assert frame["r_score"].tolist() == [4, 4, 3, 3, 3, 2, 2, 2, 1, 1]
    assert frame["m_score"].tolist() == [1, 1, 1, 2, 2, 2, 2, 3, 3, 3]
    assert set(frame["rfm_segment"]) == {"Best", "Lapsing", "Rest"}


def test_one_dimension_by_edges_the_others_by_quantiles(ten: Workspace) -> None:
    rfm = {"monetary_edges": [1000.0], "map": {"Big": "m = 2", "Rest": "TRUE"}}
    frame = segment_frame(ten, AS_OF, read_settings({"rfm": rfm}), fit_clv=False)
    assert frame["m_score"].tolist() == [1] * 9 + [2]  # only C10 reaches 1,000
    assert frame["f_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]  # quintiles, as before
    assert frame.loc["C10", "rfm_segment"] == "Big" and frame.loc["C09", "rfm_segment"] == "Rest"


@pytest.mark.parametrize(
    ("rfm", "message"),
    [
        ({"recency_edges": [30, 90]}, "needs its own"),
        ({"recency_edges": [90, 30], "map": {"A": "TRUE"}}, "strictly increasing"),
        ({"frequency_edges": [2, 2], "map": {"A": "TRUE"}}, "strictly increasing"),
        ({"monetary_edges": [], "map": {"A": "TRUE"}}, "list of numbers"),
        ({"monetary_edges": "100,500", "map": {"A": "TRUE"}}, "list of numbers"),
        ({"monetary_edges": [100, True], "map": {"A": "TRUE"}}, "list of numbers"),
    ],
)
def test_bad_edges_are_named(rfm: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_settings({"rfm": rfm})


def test_the_map_is_a_lookup_of_every_score_triple_made_in_the_sandbox(ten: Workspace) -> None:
    """The map's rules run in the rule sandbox on the grid of scores, not on the workspace: the
    lookup holds each (r, f, m) once, named by the first rule that holds (as a CASE would)."""
    from cvm.segments.assign import rfm_map_table

    settings = read_settings({"rfm": RFM})
    table = rfm_map_table(ten.engine, settings)
    rows = ten.con.execute(f"SELECT r, f, m, segment FROM {table} ORDER BY r, f, m").fetchall()
    assert len(rows) == 4 * 3 * 3  # 4 recency, 3 frequency, 3 monetary scores from the edges
    for r, f, m, name in rows:
        fm = (f + m) / 2
        assert name == ("Best" if r >= 3 and fm >= 2.5 else "Lapsing" if r <= 2 and fm >= 2
                        else "Rest"), (r, f, m)  # fmt: skip
    tables = {t for (t,) in ten.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "rfm_map_check" not in tables  # the type-check table is not left behind
