"""Customer attributes (free-form JSON) as typed, bounded-width features, one key at a time.

Both the uplift and the churn jobs build their attribute features here, so an attribute is
typed and capped the same way everywhere (see :class:`cvm.models.attributes.AttributeEncoder`).
Keys are read from DuckDB one at a time and encoded at once to float32, so memory grows with
customers x attributes, never with the number of distinct values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm._sql import load_sql
from cvm.models.attributes import AttributeEncoder

if TYPE_CHECKING:
    from cvm.workspace import Workspace

__all__ = ["attribute_features"]

SOURCES = ("customers", "campaign")


def _source(kind: str) -> str:
    if kind not in SOURCES:
        raise ValueError(f"attribute source {kind!r}: use one of {', '.join(SOURCES)}")
    return load_sql("cvm.features", f"attribute_source_{kind}.sql").strip()


def _path(key: str) -> str:
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def attribute_features(
    ws: Workspace,
    customer_ids: Any = None,
    *,
    encoder: AttributeEncoder | None = None,
    source: str = "customers",
    campaign_id: str | None = None,
    max_categories: int = 32,
    prefix: str = "attr_",
) -> tuple[pd.DataFrame, AttributeEncoder]:
    """Encoded attributes of ``customer_ids`` (default: every customer of the source).

    Parameters
    ----------
    encoder : a fitted encoder to apply (scoring); default: fit a new one on these customers.
    source : ``customers`` (the customer record's ``attributes``) or ``campaign`` (the
        covariates imported with a campaign's results; give ``campaign_id``).
    max_categories : cap of a new encoder's categorical codes ("other" included).
    prefix : a new encoder's column prefix.

    Returns
    -------
    (features, encoder): one float32 column per kept attribute, indexed by customer id, and the
    encoder (its ``excluded_`` says which attributes were left out and why).
    """
    sql_source = _source(source)
    params = {"campaign_id": campaign_id} if source == "campaign" else {}
    con = ws.con
    fitting = encoder is None
    enc = (
        AttributeEncoder(max_categories=max_categories, prefix=prefix).start()
        if fitting
        else encoder
    )
    assert enc is not None
    keys_sql = load_sql("cvm.features", "attribute_keys.sql").replace("/*SOURCE*/", sql_source)
    keys = [str(r[0]) for r in con.execute(keys_sql, params).fetchall()]
    wanted = [k for k in (keys if fitting else list(enc.kinds_)) if k in keys]
    if customer_ids is None:
        ids = con.execute(f"SELECT customer_id FROM ({sql_source}) s ORDER BY 1", params).df()
        listed = ids["customer_id"].to_numpy(dtype=object)
    else:
        listed = pd.unique(np.asarray(customer_ids, dtype=object))
    index = pd.Index(listed, name="customer_id", dtype=object)
    columns: dict[str, np.ndarray] = {}
    if wanted:
        order = pd.DataFrame({"customer_id": listed, "pos": np.arange(len(listed))})
        text = ", ".join(
            f"nullif(trim(json_extract_string(s.doc, $p{i})), '') AS a{i}"
            for i in range(len(wanted))
        )
        con.register("attribute_ids", order)
        try:
            con.execute(
                load_sql("cvm.features", "attribute_text.sql")
                .replace("/*SOURCE*/", sql_source)
                .replace("/*COLUMNS*/", ", " + text),
                {**params, **{f"p{i}": _path(k) for i, k in enumerate(wanted)}},
            )
        finally:
            con.unregister("attribute_ids")
        try:
            for i, key in enumerate(wanted):
                if fitting:
                    _learn(con, enc, key, f"a{i}")
                if key in enc.kinds_:
                    columns[f"{enc.prefix}{key}"] = _encode(con, enc, key, f"a{i}")
        finally:
            con.execute("DROP TABLE IF EXISTS attribute_text")
    out = pd.DataFrame(columns, index=index)
    return out.reindex(columns=enc.feature_names_), enc


def _learn(con: Any, enc: AttributeEncoder, key: str, column: str) -> None:
    """Type one attribute from counts computed in SQL, by the encoder's own rules."""
    stats = load_sql("cvm.features", "attribute_stats.sql").replace("/*COL*/", column)
    present, distinct, numeric, trues, falses = con.execute(stats).fetchall()[0]
    kind = enc.decide(key, present=int(present), distinct=int(distinct), numeric=int(numeric),
                      trues=int(trues), falses=int(falses))  # fmt: skip
    if kind == "categorical":
        top = load_sql("cvm.features", "attribute_top.sql").replace("/*COL*/", column)
        kept = con.execute(top, {"k": enc.kept_categories(int(distinct))}).fetchall()
        enc.set_categories(key, [str(r[0]) for r in kept])


def _encode(con: Any, enc: AttributeEncoder, key: str, column: str) -> np.ndarray:
    """One attribute as float32 in list order, encoded in SQL."""
    kept = enc.categories_.get(key, [])
    codes = pd.DataFrame({"value": pd.Series(kept, dtype=object),
                          "code": np.arange(len(kept), dtype=np.float64)})  # fmt: skip
    sql = load_sql("cvm.features", "attribute_encode.sql").replace("/*COL*/", column)
    con.register("attribute_codes", codes)
    try:
        found = con.execute(sql, {"kind": enc.kinds_[key], "other": float(len(kept))}).fetchnumpy()[
            "x"
        ]
    finally:
        con.unregister("attribute_codes")
    return np.ma.filled(np.ma.asarray(found, dtype=np.float32), np.nan)
