"""Cross-sell and up-sell recommendations from co-purchases in ``order_items`` (SQL).

Associations are the classic market-basket measures of Agrawal, Imieliński & Swami (1993):
support, confidence and lift of "b in the same order as a"; a customer's next products are
the consequents of what they bought, not yet bought, ranked by summed confidence.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from cvm._dates import parse_day
from cvm._exceptions import DataError
from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["associations", "build_recommendations", "recommendations"]


def _build_associations(ws: Workspace, day: date, min_count: int) -> None:
    if min_count < 1:
        raise DataError(f"min_count must be at least 1, got {min_count}")
    ws.engine.run(sql_file(__package__, "associations.sql"), {"as_of": day, "min_count": min_count})


def associations(ws: Workspace, as_of: date | str, *, min_count: int = 3) -> pd.DataFrame:
    """Co-purchase rules ``antecedent -> consequent`` with support, confidence and lift."""
    _build_associations(ws, parse_day(as_of, "as_of"), min_count)
    return ws.engine.frame(sql_file(__package__, "associations_list.sql"))


def build_recommendations(
    ws: Workspace, as_of: date | str, *, k: int = 5, min_count: int = 3, min_lift: float = 1.0
) -> str:
    """Build the temp table ``product_recommendations`` (customer_id, product_id, score, lift,
    rank) of each customer's top ``k`` products not yet bought, and return its name."""
    if k < 1:
        raise DataError(f"k must be at least 1, got {k}")
    day = parse_day(as_of, "as_of")
    _build_associations(ws, day, min_count)
    ws.engine.run(
        sql_file(__package__, "recommend.sql"), {"as_of": day, "k": k, "min_lift": min_lift}
    )
    return "product_recommendations"


def recommendations(
    ws: Workspace, as_of: date | str, *, k: int = 5, min_count: int = 3, min_lift: float = 1.0
) -> pd.DataFrame:
    """Each customer's top ``k`` next products as a data frame (see
    :func:`build_recommendations`)."""
    build_recommendations(ws, as_of, k=k, min_count=min_count, min_lift=min_lift)
    return ws.engine.frame(sql_file(__package__, "recommendations_list.sql"))
